/**
 * Reading the catalogue (catalogue.ts): `text(key, locale, params)` fills a template's
 * `{name}` parameters. An unknown key, an unknown locale or a missing parameter throws with
 * what was wrong: a text a person reads must never show "{value}" or "undefined".
 */
import { CATALOGUE } from './catalogue.js'

/** zh-CN first: the company standard comes from Chinese rulebooks (developers' guide). */
export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

/** A text in every locale (what a delivery carries, so a receiver picks). */
export type Localized = Record<Locale, string>

const PARAM = /\{([a-zA-Z][a-zA-Z0-9_]*)\}/g
const templates: Record<string, Localized | undefined> = CATALOGUE

export const isLocale = (s: unknown): s is Locale => typeof s === 'string' && (LOCALES as readonly string[]).includes(s)

export const hasText = (key: string): boolean => Object.hasOwn(templates, key)

/** The parameter names a template uses, in order of first use. */
export function paramsOf(template: string): string[] {
  const out: string[] = []
  for (const m of template.matchAll(PARAM)) if (!out.includes(m[1]!)) out.push(m[1]!)
  return out
}

export function text(key: string, locale: Locale, params: Record<string, string | number> = {}): string {
  const entry = Object.hasOwn(templates, key) ? templates[key] : undefined
  if (entry === undefined) throw new Error(`no text "${key}" in the catalogue (contract/catalogue/catalogue.ts)`)
  if (!isLocale(locale)) throw new Error(`unknown locale "${String(locale)}" (locales: ${LOCALES.join(', ')})`)
  return entry[locale].replace(PARAM, (_m, name: string) => {
    const v = Object.hasOwn(params, name) ? params[name] : undefined
    if (v === undefined) throw new Error(`text "${key}" (${locale}) needs the parameter {${name}}`)
    return String(v)
  })
}

/** The text in every locale. */
export function localized(key: string, params: Record<string, string | number> = {}): Localized {
  return { 'zh-CN': text(key, 'zh-CN', params), en: text(key, 'en', params) }
}

/**
 * The locale of a request: an Accept-Language header (RFC 9110 12.5.4) read by quality, a
 * language range matching a locale by its primary tag ("en-GB" -> en, "zh-Hans-CN" -> zh-CN);
 * none of ours (also "*", which fetch and some clients send): `fallback`.
 */
export function negotiateLocale(acceptLanguage: string | undefined, fallback: Locale = DEFAULT_LOCALE): Locale {
  if (!acceptLanguage) return fallback
  let best: { locale: Locale; q: number } | null = null
  // Bounded: a header is at most fastify's header size; only the first 32 ranges are read.
  for (const part of acceptLanguage.split(',').slice(0, 32)) {
    const [range = '', ...opts] = part.trim().split(';')
    let q = 1
    for (const o of opts) {
      const m = /^\s*q=([0-9.]+)\s*$/.exec(o)
      if (m) q = Number(m[1])
    }
    if (!(q > 0)) continue
    const primary = range.trim().toLowerCase().split('-')[0]
    const locale: Locale | null = primary === 'zh' ? 'zh-CN' : primary === 'en' ? 'en' : null
    if (locale && (best === null || q > best.q)) best = { locale, q }
  }
  return best?.locale ?? fallback
}
