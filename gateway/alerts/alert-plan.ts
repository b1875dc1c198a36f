/**
 * What the alert reducers share (alert-lifecycle.ts, alert-visit.ts): the deadline plan of an
 * alert (rules/faults/deadlines.ts, recomputed on every change and when a stored record is read
 * back), the T6 fields from a unit's facts, and the checks a person's command must pass.
 */
import type { AlertErrorCode } from '../../contract/errors.js'
import { alertDeadlines, type AlertDeadlines } from '../../rules/faults/deadlines.js'
import type { Deadlines } from '../../rules/faults/fault-pack-schema.js'
import type { Alert, AlertResult, UnitFacts } from './alert-types.js'

/** The actor of what the gateway itself does (auto-clear, escalation, a distance applied). */
export const SYSTEM_ACTOR = 'system'

export const fail = (code: AlertErrorCode, message: string): AlertResult => ({ ok: false, error: { code, message } })

export function planOf(d: Deadlines, a: Omit<Alert, 'plan'>): AlertDeadlines {
  return alertDeadlines(d, {
    raisedAt: a.raisedAt,
    severity: a.worstSeverity,
    acknowledgedAt: a.acknowledged?.at ?? null,
    resolvedAt: a.cleared?.at ?? null,
    installationLeak: a.installationLeak,
    ...(a.distanceKm !== undefined ? { distanceKm: a.distanceKm } : {}),
    onSiteAt: a.onSite?.at ?? null,
    installerOnSiteAt: a.installerOnSite?.at ?? null,
  })
}

/** The T6 fields of an alert from the unit's facts: the distance and its source, or why there is none. */
export function distanceFields(f: UnitFacts): Pick<Alert, 'distanceKm' | 'distanceSource' | 'notJudged'> {
  if (f.distanceKm !== undefined) return { distanceKm: f.distanceKm, ...(f.distanceSource !== undefined ? { distanceSource: f.distanceSource } : {}) }
  return f.distanceUnknown !== undefined ? { notJudged: [{ kind: 'on_site', reason: f.distanceUnknown }] } : {}
}

export function withPlan(d: Deadlines, a: Alert): Alert {
  return { ...a, plan: planOf(d, a) }
}

/** The checks every person's command passes: an alert, who, a time not before the raise, not cleared. */
export function checkPerson(a: Alert | null, c: { by: string; at: number }, verb: string): AlertResult | Alert {
  if (a === null) return fail('GW_ERR_ALERT_NO_ALERT', `cannot ${verb}: there is no such alert`)
  if (typeof c.by !== 'string' || c.by.trim() === '') return fail('GW_ERR_ALERT_BAD_COMMAND', `cannot ${verb} alert ${a.id}: say who does it (by is empty)`)
  if (!Number.isFinite(c.at)) return fail('GW_ERR_ALERT_BAD_COMMAND', `cannot ${verb} alert ${a.id}: the time is not a number`)
  if (c.at < a.raisedAt) return fail('GW_ERR_ALERT_TIME', `cannot ${verb} alert ${a.id} at ${new Date(c.at).toISOString()}: it was raised later, at ${new Date(a.raisedAt).toISOString()}`)
  if (a.state === 'cleared') return fail('GW_ERR_ALERT_CLEARED', `cannot ${verb} alert ${a.id}: it was cleared at ${new Date(a.cleared!.at).toISOString()} by ${a.cleared!.by}`)
  return a
}
