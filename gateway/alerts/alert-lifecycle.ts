/**
 * One alert per (unit, fault type) as a pure reducer (issue 11, alert lifecycle): the fault
 * evaluators' raise / update / clear (rules/faults/fault-transition.ts) and people's
 * acknowledge / assign / clear go in, the next alert and its audit entries come out. Nothing
 * here does I/O or reads a clock: every command carries its time, a new id comes from the
 * injected `newId`.
 *
 * - States: active -> acknowledged -> cleared (active -> cleared directly too). A raise or an
 *   update after a clear opens a NEW alert (new id): the cleared one stays as history.
 * - Re-triggering (raise or update on an open alert) updates count, last value, last seen and
 *   the worst value and severity; a worse severity tightens the deadlines (T2/T5 by severity).
 * - Deadlines (rules/faults/deadlines.ts) are kept on the alert and recomputed on every change;
 *   escalate(now) moves the alert up its team chain as they pass, at most maxEscalations.
 * - Unit facts (T3 installation leak, T6 distance from the service centre) are fixed at raise; a
 *   distance set or corrected later is applied to the open alerts (`facts`, audited as 'update'):
 *   an open alert is never left without its on-site deadline once the distance is known. Without
 *   a distance the alert says so (`notJudged`), never a default band.
 * - on_site records who was on site and when: maintenance meets T6 `on_site`, the installer T3
 *   `installer_on_site` (rules/faults/deadlines.ts).
 * - A command that does not fit (acknowledge a cleared alert, clear twice, no actor) returns
 *   { ok: false, error } with an alert error code (contract/errors.ts ALERT_ERRORS) and a sentence; it never throws.
 */
import type { AlertErrorCode } from '../../contract/errors.js'
import { isVisit } from '../../rules/faults/deadlines.js'
import type { Deadlines, FaultSeverity } from '../../rules/faults/fault-pack-schema.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'
import type { Alert, AlertCommand, AlertContext, AlertResult, AuditEntry, EscalationEvent } from './alert-types.js'
import { checkPerson, distanceFields, fail, planOf, SYSTEM_ACTOR, withPlan } from './alert-plan.js'
import { reduceFacts, reduceOnSite } from './alert-visit.js'

export { SYSTEM_ACTOR } from './alert-plan.js'

export type {
  Alert,
  AlertCommand,
  AlertContext,
  AlertResult,
  AlertState,
  AuditAction,
  AuditEntry,
  EscalationEvent,
  OnSiteWho,
  UnitFacts,
  Visit,
} from './alert-types.js'
export type { AlertErrorCode }

const SEVERITY_RANK: Record<FaultSeverity, number> = { warning: 0, minor: 1, major: 2, critical: 3 }
export const worseOf = (a: FaultSeverity, b: FaultSeverity): FaultSeverity => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a)

function raise(t: FaultTransition, ctx: AlertContext): AlertResult {
  const facts = ctx.unitFacts?.(t.deviceId, t.fault) ?? {}
  const base: Omit<Alert, 'plan'> = {
    id: ctx.newId(),
    deviceId: t.deviceId,
    fault: t.fault,
    state: 'active',
    severity: t.severity,
    worstSeverity: t.severity,
    raisedAt: t.at,
    lastSeenAt: t.at,
    triggers: 1,
    faultCount: t.count,
    value: t.value,
    worst: t.peak ?? t.value,
    unit: t.unit,
    limit: t.limit,
    clause: t.clause,
    source: t.source,
    message: t.message,
    ...(t.code !== undefined ? { code: t.code } : {}),
    ...(t.textKey !== undefined ? { textKey: t.textKey } : {}),
    acknowledged: null,
    assignee: null,
    cleared: null,
    chain: [...ctx.chainFor(t.deviceId)],
    teamIndex: 0,
    escalations: [],
    installationLeak: facts.installationLeak ?? false,
    ...distanceFields(facts),
  }
  const alert: Alert = { ...base, plan: planOf(ctx.deadlines, base) }
  return { ok: true, alert, audit: [{ alertId: alert.id, at: t.at, actor: SYSTEM_ACTOR, action: 'raise', from: null, to: 'active', note: t.message }] }
}

/** The worse of two values against a limit: higher is worse unless the limit is a floor (value below it). */
function worseValue(a: number | null, b: number | null, limit: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  const low = limit !== null && b < limit && a < limit
  return low ? Math.min(a, b) : Math.max(a, b)
}

function retrigger(a: Alert, t: FaultTransition, ctx: AlertContext): AlertResult {
  const next: Alert = withPlan(ctx.deadlines, {
    ...a,
    worstSeverity: worseOf(a.worstSeverity, t.severity),
    lastSeenAt: Math.max(a.lastSeenAt, t.at),
    triggers: a.triggers + 1,
    faultCount: t.count,
    value: t.value,
    worst: worseValue(a.worst, t.peak ?? t.value, t.limit),
    message: t.message,
  })
  return { ok: true, alert: next, audit: [{ alertId: a.id, at: t.at, actor: SYSTEM_ACTOR, action: 'retrigger', from: a.state, to: a.state, note: t.message }] }
}

function clear(a: Alert, by: string, at: number, note: string, auto: boolean, ctx: AlertContext): AlertResult {
  const next = withPlan(ctx.deadlines, { ...a, state: 'cleared', cleared: { by, at, note, auto } })
  return { ok: true, alert: next, audit: [{ alertId: a.id, at, actor: by, action: auto ? 'auto_clear' : 'clear', from: a.state, to: 'cleared', note }] }
}

/**
 * The next alert for (unit, fault) given the current one (null: none yet, or the caller keeps
 * none) and a command. For a fault transition `current` must be the latest alert of that unit
 * and fault; a cleared one is history and a raise opens a new alert.
 */
export function reduceAlert(current: Alert | null, cmd: AlertCommand, ctx: AlertContext): AlertResult {
  switch (cmd.kind) {
    case 'fault': {
      const t = cmd.transition
      if (current !== null && (current.deviceId !== t.deviceId || current.fault !== t.fault)) {
        return fail('GW_ERR_ALERT_BAD_COMMAND', `alert ${current.id} is ${current.deviceId}/${current.fault}, not ${t.deviceId}/${t.fault}`)
      }
      const open = current !== null && current.state !== 'cleared' ? current : null
      if (t.kind === 'clear') {
        if (open === null) return fail(current === null ? 'GW_ERR_ALERT_NO_ALERT' : 'GW_ERR_ALERT_CLEARED', `${t.deviceId}/${t.fault} has no open alert to clear`)
        return clear(open, SYSTEM_ACTOR, Math.max(t.at, open.raisedAt), t.message, true, ctx)
      }
      // An update with no open alert (a manual clear while the condition lasts, or a restart
      // that kept the evaluator's state but not the alert) raises: the fault is still there.
      return open === null ? raise(t, ctx) : retrigger(open, t, ctx)
    }
    case 'acknowledge': {
      const a = checkPerson(current, cmd, 'acknowledge')
      if ('ok' in a) return a
      if (a.acknowledged !== null) return fail('GW_ERR_ALERT_ALREADY', `alert ${a.id} was already acknowledged by ${a.acknowledged.by} at ${new Date(a.acknowledged.at).toISOString()}`)
      const note = cmd.note ?? ''
      const next = withPlan(ctx.deadlines, { ...a, state: 'acknowledged', acknowledged: { by: cmd.by, at: cmd.at, note } })
      return { ok: true, alert: next, audit: [{ alertId: a.id, at: cmd.at, actor: cmd.by, action: 'acknowledge', from: a.state, to: 'acknowledged', note }] }
    }
    case 'assign': {
      const a = checkPerson(current, cmd, 'assign')
      if ('ok' in a) return a
      if (typeof cmd.member !== 'string' || cmd.member.trim() === '') return fail('GW_ERR_ALERT_BAD_COMMAND', `cannot assign alert ${a.id}: say to whom (member is empty)`)
      if (a.assignee?.member === cmd.member) return fail('GW_ERR_ALERT_ALREADY', `alert ${a.id} is already assigned to ${cmd.member}`)
      const next: Alert = { ...a, assignee: { member: cmd.member, by: cmd.by, at: cmd.at } }
      const note = cmd.note ? `to ${cmd.member}: ${cmd.note}` : `to ${cmd.member}`
      return { ok: true, alert: next, audit: [{ alertId: a.id, at: cmd.at, actor: cmd.by, action: 'assign', from: a.state, to: a.state, note }] }
    }
    case 'clear': {
      const a = checkPerson(current, cmd, 'clear')
      if ('ok' in a) return a
      if (typeof cmd.note !== 'string' || cmd.note.trim() === '') return fail('GW_ERR_ALERT_BAD_COMMAND', `cannot clear alert ${a.id} by hand without saying why (note is empty)`)
      return clear(a, cmd.by, cmd.at, cmd.note, false, ctx)
    }
    case 'on_site':
      return reduceOnSite(current, cmd, ctx)
    case 'facts':
      return reduceFacts(current, cmd.at, cmd.facts, ctx)
  }
}

export type EscalateResult = { alert: Alert; events: EscalationEvent[]; audit: AuditEntry[] }

/**
 * The escalations due by `now` that have not happened yet: each moves the alert to the next team
 * of its chain (or tells the last team again when none is left). The plan already stops at
 * maxEscalations (but for each deadline's first miss) and drops what a met deadline no longer needs. Cleared alerts never escalate.
 */
export function escalate(a: Alert, now: number, d: Deadlines): EscalateResult {
  if (a.state === 'cleared') return { alert: a, events: [], audit: [] }
  const last = a.escalations.length > 0 ? a.escalations[a.escalations.length - 1]!.at : -Infinity
  const events: EscalationEvent[] = []
  const audit: AuditEntry[] = []
  let teamIndex = a.teamIndex
  let level = a.escalations.length
  for (const e of a.plan.escalations) {
    if (e.at > now) break
    if (e.at <= last) continue
    // A deadline met exactly at an escalation's time can renumber the plan: hold the cap here too
    // (past it only a deadline's first miss escalates, as in rules/faults/deadlines.ts).
    if (level >= d.maxEscalations.value && !(isVisit(e.missed) && !a.escalations.some((x) => x.missed === e.missed) && !events.some((x) => x.missed === e.missed))) continue
    level++
    const fromTeam = a.chain[teamIndex] ?? ''
    if (teamIndex + 1 < a.chain.length) teamIndex++
    const toTeam = a.chain[teamIndex] ?? ''
    const ev: EscalationEvent = { alertId: a.id, at: e.at, level, missed: e.missed, fromTeam, toTeam }
    events.push(ev)
    audit.push({ alertId: a.id, at: e.at, actor: SYSTEM_ACTOR, action: 'escalate', from: a.state, to: a.state, note: `${e.missed} deadline missed: ${fromTeam || '(no team)'} -> ${toTeam || '(no team)'}` })
  }
  if (events.length === 0) return { alert: a, events, audit }
  const escalations = a.escalations.slice()
  for (const ev of events) escalations.push(ev)
  return { alert: { ...a, teamIndex, escalations }, events, audit }
}

/** The team the alert is with now ('' when no team covers the unit). */
export const currentTeam = (a: Alert): string => a.chain[a.teamIndex] ?? ''
