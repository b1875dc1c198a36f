/**
 * The one-line title a person reads about an alert, composed from the alert's STRUCTURED
 * fields (fault, code, textKey, value, unit, limit, severity) and an event kind (or, with no
 * event, its state) in a locale, from the catalogue (contract/catalogue). The English
 * `message` of the evaluators stays what it is: an engineering sentence for logs and tests.
 *
 * Pure. Never throws for an alert: a fault name the catalogue lacks (a pack added since, or a
 * damaged record's "(unknown)") is shown as it is; test/contract/catalogue.test.ts makes sure
 * every shipped name has its text.
 */
import { hasText, text, type Locale, type Localized } from '../../contract/catalogue/index.js'
import { OTHER_FAULTS, type AlertEventKind } from './delivery-grouping.js'

/** What a title is made from (an Alert has all of these). */
export interface AlertTextFields {
  fault: string
  severity: string
  state?: string
  value?: number | null
  unit?: string | null
  limit?: number | null
  code?: string | undefined
  textKey?: string | undefined
}

/** What happened: an event kind, or an escalation with the deadline it missed. */
export type TitleEvent = { kind: AlertEventKind | 'grouped'; missed?: string | undefined }

const orRaw = (key: string, raw: string, locale: Locale): string => (hasText(key) ? text(key, locale) : raw)

/** "12.0", "0.35", "-0.42": one decimal from 1 up, two significant digits below (slopes, mA). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  return Math.abs(v) >= 1 || v === 0 ? v.toFixed(1) : v.toPrecision(2)
}

/** Limits are pack numbers (3.5, 10, 198): as written, rounding off binary noise (198.00000000000003). */
export const formatLimit = (v: number): string => String(Number(v.toFixed(3)))

const withUnit = (n: string, unit: string | null | undefined): string => (unit ? `${n} ${unit}` : n)

/** The fault's name: the pack's error-code text (textKey) when it has one, else the fault type's. */
export function faultName(a: Pick<AlertTextFields, 'fault' | 'textKey'>, locale: Locale): string {
  if (a.textKey && hasText(a.textKey)) return text(a.textKey, locale)
  return orRaw(`fault.${a.fault}`, a.fault, locale)
}

function eventText(ev: TitleEvent | null, state: string | undefined, locale: Locale): string {
  if (ev === null) return state ? orRaw(`state.${state}`, state, locale) : ''
  if (ev.kind === 'escalated' && ev.missed) return text('event.escalated_missed', locale, { deadline: orRaw(`deadline.${ev.missed}`, ev.missed, locale) })
  return orRaw(`event.${ev.kind}`, ev.kind, locale)
}

/** The title in one locale; `ev` null: the alert as it stands (its state). */
export function alertTitle(a: AlertTextFields, ev: TitleEvent | null, locale: Locale): string {
  const p = { fault: faultName(a, locale), severity: orRaw(`severity.${a.severity}`, a.severity, locale), event: eventText(ev, a.state, locale) }
  if (a.value !== null && a.value !== undefined) {
    const value = withUnit(formatValue(a.value), a.unit)
    if (a.limit !== null && a.limit !== undefined) return text('title.value_limit', locale, { ...p, value, limit: withUnit(formatLimit(a.limit), a.unit) })
    return text('title.value', locale, { ...p, value })
  }
  if (a.code) return text('title.code', locale, { ...p, code: a.code })
  return text('title.no_value', locale, p)
}

/** The title in every locale. */
export const alertTitles = (a: AlertTextFields, ev: TitleEvent | null): Localized => ({ 'zh-CN': alertTitle(a, ev, 'zh-CN'), en: alertTitle(a, ev, 'en') })

/** What a grouped delivery adds up (delivery-grouping.ts TeamDelivery 'group'). */
export interface GroupTextFields {
  count: number
  omitted: number
  worstSeverity: string
  byFault: Record<string, number>
}

/** The one-line summary of a grouped delivery, e.g. "12 alert changes, worst major (0 not listed): Offline ×12". */
export function groupSummary(g: GroupTextFields, locale: Locale): string {
  let byFault = ''
  const sep = text('list.separator', locale)
  for (const [fault, n] of Object.entries(g.byFault)) {
    byFault += (byFault === '' ? '' : sep) + text('group.fault_count', locale, { fault: fault === OTHER_FAULTS ? text('group.other_faults', locale) : orRaw(`fault.${fault}`, fault, locale), count: n })
  }
  return text('group.summary', locale, { count: g.count, omitted: g.omitted, severity: orRaw(`severity.${g.worstSeverity}`, g.worstSeverity, locale), byFault })
}

export const groupSummaries = (g: GroupTextFields): Localized => ({ 'zh-CN': groupSummary(g, 'zh-CN'), en: groupSummary(g, 'en') })

