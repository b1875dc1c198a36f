/**
 * Maintenance teams and the routes that say which units each covers (issue 11, routing): one
 * YAML or JSON file (GW_ALERT_TEAMS_FILE when wired), validated once at start with errors that
 * name the file and the field. `teamsFor(unit)` and `chainOf(team)` are pure lookups.
 *
 * A route matches a unit when the unit matches EVERY criterion the route gives (sites,
 * regions, installers, tags), and a criterion when the unit's value is one of its list (for
 * tags: the unit has at least one of them). A unit no route matches goes to `defaultTeam`.
 */
import { readFileSync } from 'node:fs'

import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

import { DEFAULT_LOCALE, LOCALES, type Locale } from '../../contract/catalogue/index.js'

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/
const id = (what: string) => z.string().regex(ID, `${what} must be 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit (it is used in MQTT topics)`)

/** Standard Webhooks: "whsec_" + base64 of 24 to 64 random bytes (standardwebhooks.com, "Signature scheme"). */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith('whsec_')) return "must start with 'whsec_' followed by base64 (Standard Webhooks secret format)"
  const b64 = secret.slice('whsec_'.length)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return "after 'whsec_' must be standard base64 (A-Z a-z 0-9 + /, '=' padding, length a multiple of 4)"
  const bytes = Buffer.from(b64, 'base64').length
  if (bytes < 24 || bytes > 64) return `must decode to 24-64 bytes (Standard Webhooks); it decodes to ${bytes}`
  return null
}

const WebhookSchema = z
  .object({
    kind: z.literal('webhook'),
    url: z.string().refine((u) => {
      try {
        const p = new URL(u).protocol
        return p === 'http:' || p === 'https:'
      } catch {
        return false
      }
    }, 'must be an http:// or https:// URL'),
    secret: z.string().superRefine((s, c) => {
      const problem = webhookSecretProblem(s)
      if (problem !== null) c.addIssue({ code: 'custom', message: problem })
    }),
  })
  .strict()

const DeliverySchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('mqtt') }).strict(), WebhookSchema, z.object({ kind: z.literal('sse') }).strict()])
export type Delivery = z.infer<typeof DeliverySchema>

export const RateLimitSchema = z
  .object({
    /** Length of a grouping window, s. */
    windowS: z.number().int().min(1).max(3600).default(60),
    /** Deliveries sent one by one in a window; the rest go as one grouped delivery at its end. */
    maxPerWindow: z.number().int().min(1).max(1000).default(5),
    /** Alerts listed in a grouped delivery (the count covers all of them). */
    maxListed: z.number().int().min(1).max(1000).default(50),
  })
  .strict()
export type RateLimit = z.infer<typeof RateLimitSchema>

const TeamSchema = z
  .object({
    id: id('a team id'),
    name: z.string().trim().min(1, 'a team needs a name'),
    escalatesTo: id('escalatesTo').optional(),
    deliveries: z.array(DeliverySchema).min(1, 'a team needs at least one delivery (mqtt, webhook or sse)'),
    rateLimit: RateLimitSchema.default({ windowS: 60, maxPerWindow: 5, maxListed: 50 }),
    /** The language of the `title` of the team's deliveries (every body also carries `text` in all locales); absent: zh-CN (teamLocale). */
    locale: z.enum(LOCALES, { error: (iss) => `locale must be one of ${LOCALES.join(', ')} (got ${JSON.stringify(iss.input)})` }).optional(),
  })
  .strict()
export type Team = z.infer<typeof TeamSchema>

const list = z.array(z.string().min(1)).min(1, 'an empty list matches no unit; leave the criterion out instead')
const RouteSchema = z
  .object({
    team: id('route team'),
    sites: list.optional(),
    regions: list.optional(),
    installers: list.optional(),
    tags: list.optional(),
  })
  .strict()
  .refine((r) => r.sites || r.regions || r.installers || r.tags, { message: 'a route needs at least one of sites, regions, installers, tags (use defaultTeam for the rest)' })
export type Route = z.infer<typeof RouteSchema>

const ConfigSchema = z
  .object({
    teams: z.array(TeamSchema).min(1, 'at least one team'),
    routes: z.array(RouteSchema).default([]),
    defaultTeam: id('defaultTeam').optional(),
  })
  .strict()
  .superRefine((cfg, c) => {
    const ids = new Set<string>()
    cfg.teams.forEach((t, i) => {
      if (ids.has(t.id)) c.addIssue({ code: 'custom', path: ['teams', i, 'id'], message: `duplicate team id '${t.id}'` })
      ids.add(t.id)
    })
    cfg.teams.forEach((t, i) => {
      if (t.escalatesTo === undefined) return
      if (!ids.has(t.escalatesTo)) c.addIssue({ code: 'custom', path: ['teams', i, 'escalatesTo'], message: `unknown team '${t.escalatesTo}' (teams: ${[...ids].join(', ')})` })
      else if (t.escalatesTo === t.id) c.addIssue({ code: 'custom', path: ['teams', i, 'escalatesTo'], message: `team '${t.id}' escalates to itself` })
    })
    cfg.routes.forEach((r, i) => {
      if (!ids.has(r.team)) c.addIssue({ code: 'custom', path: ['routes', i, 'team'], message: `unknown team '${r.team}'` })
    })
    if (cfg.defaultTeam !== undefined && !ids.has(cfg.defaultTeam)) c.addIssue({ code: 'custom', path: ['defaultTeam'], message: `unknown team '${cfg.defaultTeam}'` })
    // Escalation cycles: follow each chain; a team seen twice closes a loop (a -> b -> a).
    const next = new Map(cfg.teams.map((t) => [t.id, t.escalatesTo]))
    const reported = new Set<string>()
    cfg.teams.forEach((t, i) => {
      const seen: string[] = [t.id]
      for (let cur = next.get(t.id); cur !== undefined && next.has(cur); cur = next.get(cur)) {
        if (cur === t.id) {
          const key = [...seen].sort().join(',')
          if (seen.length > 1 && !reported.has(key)) c.addIssue({ code: 'custom', path: ['teams', i, 'escalatesTo'], message: `escalation cycle: ${seen.join(' -> ')} -> ${t.id}` })
          reported.add(key)
          break
        }
        if (seen.includes(cur)) break // a loop further up the chain; reported from its own teams
        seen.push(cur)
      }
    })
  })

export type TeamsConfig = z.infer<typeof ConfigSchema>

function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`
  return out === '' ? '(top level)' : out
}

/** Validates parsed data; `origin` (the file) starts every line of the error. */
export function parseTeamsConfig(data: unknown, origin: string): TeamsConfig {
  const r = ConfigSchema.safeParse(data)
  if (r.success) return r.data
  const lines: string[] = []
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${origin}: ${formatPath([...issue.path, key])}: unknown key (misspelt or not supported)`)
      continue
    }
    lines.push(`${origin}: ${formatPath(issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}`)
  }
  throw new Error(lines.join('\n'))
}

/** Reads and validates a teams file (YAML; JSON is YAML too). Not called by any constructor. */
export function loadTeamsConfig(path: string): TeamsConfig {
  let data: unknown
  try {
    data = parseYaml(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`${path}: cannot read the teams file: ${e instanceof Error ? e.message : String(e)}`)
  }
  return parseTeamsConfig(data, path)
}

/** What routing knows about a unit. */
export interface RoutedUnit {
  siteId?: string | null
  region?: string | null
  installerId?: string | null
  tags?: readonly string[]
}

function matches(r: Route, u: RoutedUnit): boolean {
  if (r.sites && !(u.siteId != null && r.sites.includes(u.siteId))) return false
  if (r.regions && !(u.region != null && r.regions.includes(u.region))) return false
  if (r.installers && !(u.installerId != null && r.installers.includes(u.installerId))) return false
  if (r.tags && !(u.tags ?? []).some((t) => r.tags!.includes(t))) return false
  return true
}

/** The teams covering a unit, in route order without repeats; the default team when none; else []. */
export function teamsFor(cfg: TeamsConfig, u: RoutedUnit): string[] {
  const out: string[] = []
  for (const r of cfg.routes) if (matches(r, u) && !out.includes(r.team)) out.push(r.team)
  if (out.length === 0 && cfg.defaultTeam !== undefined) out.push(cfg.defaultTeam)
  return out
}

/** A team and the teams it escalates to, in order (the config has no cycles). */
export function chainOf(cfg: TeamsConfig, teamId: string): string[] {
  const byId = new Map(cfg.teams.map((t) => [t.id, t]))
  const out: string[] = []
  for (let cur: string | undefined = teamId; cur !== undefined && byId.has(cur) && !out.includes(cur); cur = byId.get(cur)!.escalatesTo) out.push(cur)
  return out
}

/** The language of a team's delivery titles: its `locale`, else zh-CN (the company standard's language). */
export const teamLocale = (team: Pick<Team, 'locale'>): Locale => team.locale ?? DEFAULT_LOCALE

export const teamById = (cfg: TeamsConfig, teamId: string): Team | undefined => cfg.teams.find((t) => t.id === teamId)
