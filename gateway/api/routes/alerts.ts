/**
 * Alerts of units in service (issue 11): list and filter, one with its audit trail, and the
 * people's acknowledge / assign / clear with who and why, and who was on site when (T6 / T3). Errors: contract/errors.ts ALERT_ERRORS.
 * The SSE stream and the deliveries are the deliveries module's.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import { LOCALES, negotiateLocale, type Locale } from '../../../contract/catalogue/index.js'
import { ALERT_ERRORS, type AlertErrorCode } from '../../../contract/errors.js'
import { installerCallbacks } from '../../../rules/faults/installer-callbacks.js'
import { FAULT_SEVERITIES } from '../../../rules/faults/fault-pack-schema.js'
import type { AlertEngine } from '../../alerts/alert-engine.js'
import { currentTeam, type Alert, type AlertResult } from '../../alerts/alert-lifecycle.js'
import { alertTitle } from '../../alerts/alert-text.js'
import type { Clock } from '../../clock.js'
import { ApiError, ErrorBodySchema, notFound } from '../api-error.js'

const Who = z.string().trim().min(1).max(100).describe('Who does it (a person of the team)')
const Note = z.string().trim().max(2000)
const When = z.number().int().positive().describe('When it really happened, ms; default: now')
const Params = z.object({ id: z.string().min(1).max(100) })
const AuditSchema = z.object({
  seq: z.number(),
  alertId: z.string(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  note: z.string(),
  team: z.string(),
  damaged: z.string().optional().describe('The stored entry cannot be read (why); the fields stand in for it'),
})
/** The alert as stored (alert-record.ts) plus its deadline plan and the team it is with. */
const AlertBody = z.object({ id: z.string(), deviceId: z.string(), fault: z.string(), state: z.string(), team: z.string() }).catchall(z.unknown()).describe('The alert record (gateway/alerts/alert-record.ts AlertRecordSchema)')
/** GET answers add the title a person reads (contract/catalogue), in the request's language. */
const TitledAlert = AlertBody.extend({ title: z.string().describe('One line for a person, in the language of `lang` or Accept-Language (default zh-CN), e.g. "泄漏电流 4.0 mA，限值 3.5 mA（严重）：未确认"') })
const Lang = z.enum(LOCALES).optional().describe('Language of `title` (zh-CN or en); absent: the Accept-Language header, else zh-CN')
const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema }

export const alertRoutes =
  (deps: { clock: Clock; engine: AlertEngine }): FastifyPluginAsyncZod =>
  async (app) => {
    const view = (a: Alert) => ({ ...a, team: currentTeam(a) })
    const titled = (a: Alert, locale: Locale) => ({ ...view(a), title: alertTitle({ ...a, severity: a.worstSeverity }, null, locale) })
    const localeOf = (req: { query: { lang?: Locale | undefined }; headers: { 'accept-language'?: string | undefined } }): Locale =>
      req.query.lang ?? negotiateLocale(req.headers['accept-language'])
    const answer = (r: AlertResult) => {
      if (!r.ok) throw alertError(r.error.code, r.error.message)
      return view(r.alert)
    }

    app.get(
      '/alerts',
      {
        schema: {
          summary: 'Alerts, newest first, filtered; page with `cursor` (the `next` of the last page)',
          querystring: z.object({
            state: z.enum(['active', 'acknowledged', 'cleared']).optional(),
            team: z.string().max(64).optional(),
            deviceId: z.string().max(100).optional(),
            fault: z.string().max(64).optional(),
            severity: z.enum(FAULT_SEVERITIES).optional(),
            cursor: z.string().max(400).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            lang: Lang,
          }),
          response: { 200: z.object({ alerts: z.array(TitledAlert), next: z.string().nullable() }) },
        },
      },
      async (req) => {
        const q = req.query
        const page = deps.engine.store.list({
          limit: q.limit,
          ...(q.state ? { state: q.state } : {}),
          ...(q.team ? { team: q.team } : {}),
          ...(q.deviceId ? { deviceId: q.deviceId } : {}),
          ...(q.fault ? { fault: q.fault } : {}),
          ...(q.severity ? { severity: q.severity } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
        })
        const locale = localeOf(req)
        return { alerts: page.alerts.map((a) => titled(a, locale)), next: page.next }
      },
    )

    app.get(
      '/alerts/:id',
      { schema: { summary: 'One alert with its audit trail (every change: who, when, why)', params: Params, querystring: z.object({ lang: Lang }), response: { 200: TitledAlert.and(z.object({ audit: z.array(AuditSchema) })), 404: ErrorBodySchema } } },
      async (req) => {
        const a = deps.engine.store.get(req.params.id)
        if (!a) throw alertError('GW_ERR_ALERT_NO_ALERT', `alert "${req.params.id}" not found`)
        return { ...titled(a, localeOf(req)), audit: deps.engine.store.audit(a.id) }
      },
    )

    app.post(
      '/alerts/:id/acknowledge',
      { schema: { summary: 'Acknowledge: the team has seen it (meets the acknowledge deadline, T2/T5)', params: Params, body: z.object({ by: Who, note: Note.optional(), at: When.optional() }).strict(), response: { 200: AlertBody, ...errors } } },
      async (req) => answer(deps.engine.command(req.params.id, { kind: 'acknowledge', by: req.body.by, at: req.body.at ?? deps.clock.now(), ...(req.body.note ? { note: req.body.note } : {}) })),
    )

    app.post(
      '/alerts/:id/assign',
      { schema: { summary: 'Assign the alert to a member of the team', params: Params, body: z.object({ by: Who, to: Who, note: Note.optional(), at: When.optional() }).strict(), response: { 200: AlertBody, ...errors } } },
      async (req) => answer(deps.engine.command(req.params.id, { kind: 'assign', by: req.body.by, member: req.body.to, at: req.body.at ?? deps.clock.now(), ...(req.body.note ? { note: req.body.note } : {}) })),
    )

    app.post(
      '/alerts/:id/clear',
      { schema: { summary: 'Clear by hand, saying why (the fault raises a new alert if it is still there)', params: Params, body: z.object({ by: Who, reason: Note.min(1, 'say why'), at: When.optional() }).strict(), response: { 200: AlertBody, ...errors } } },
      async (req) => answer(deps.engine.command(req.params.id, { kind: 'clear', by: req.body.by, note: req.body.reason, at: req.body.at ?? deps.clock.now() })),
    )

    app.post(
      '/alerts/:id/on-site',
      {
        schema: {
          summary: 'Record who was on site and when: maintenance meets the T6 on_site deadline, the installer the T3 installer_on_site deadline',
          description:
            "T6 (seed §17 4.1.1.3): on site within 24 h up to 300 km from the service centre, 48 h up to 1000 km, 72 h beyond. T3 (addendum art.11): the installer on site within 24 h for a leak the installation caused. Recorded once per `who`, audited like an acknowledge; the audit note says whether the deadline was met.",
          params: Params,
          body: z.object({ by: Who, who: z.enum(['maintenance', 'installer']).describe("'maintenance' (T6) or 'installer' (T3)"), note: Note.optional(), at: When.optional() }).strict(),
          response: { 200: AlertBody, ...errors },
        },
      },
      async (req) => {
        const at = req.body.at ?? deps.clock.now()
        if (at > deps.clock.now()) throw alertError('GW_ERR_ALERT_TIME', `cannot record on site at ${new Date(at).toISOString()}: that is in the future`)
        return answer(deps.engine.command(req.params.id, { kind: 'on_site', by: req.body.by, who: req.body.who, at, ...(req.body.note ? { note: req.body.note } : {}) }))
      },
    )

    app.get(
      '/installers/:id/callbacks',
      {
        schema: {
          summary: "An installer's leak call-backs within 30 days of installation, and whether T4 flags them",
          params: Params,
          response: {
            200: z.object({
              installerId: z.string(),
              counted: z.array(z.object({ jobId: z.string(), callbackAt: z.number() })),
              maxInShortWindow: z.number(),
              maxInLongWindow: z.number(),
              flagged: z.boolean(),
              reason: z.string().nullable(),
            }),
            404: ErrorBodySchema,
          },
        },
      },
      async (req) => {
        const rows = deps.engine.store.callbacks(req.params.id)
        const d = deps.engine.deadlinesOf(rows[0]?.deviceId)
        if (!d) return { installerId: req.params.id, counted: [], maxInShortWindow: 0, maxInLongWindow: 0, flagged: false, reason: null }
        const standing = installerCallbacks(d, rows.map((r) => ({ installerId: r.installerId, jobId: r.jobId, installedAt: r.installedAt, callbackAt: r.callbackAt, leak: r.leak })))[0]
        return standing ?? raise(notFound(`installer "${req.params.id}"`))
      },
    )
  }

/** An alert error with the status its code is listed with (contract/errors.ts ALERT_ERRORS). */
function alertError(code: AlertErrorCode, message: string): ApiError {
  return new ApiError(ALERT_ERRORS[code].status, code, message)
}

function raise(err: Error): never {
  throw err
}
