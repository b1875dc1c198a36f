/**
 * The deadlines an alert is held to (issue 11; DOMAIN.md T2, T3, T5, T6, T7) and the
 * escalation times that follow when one passes. Pure: pack deadlines and an alert's times
 * in, times out; the alert module decides what to send.
 *
 * - acknowledge-by and resolve-by from the alert's severity (T2: contact within 20 min,
 *   done within 24 h; T5: dispatched within 30 min, closed within 24 h);
 * - installer on site within 24 h for a leak the installation caused (T3);
 * - on-site response by distance from the service centre (T6: <= 300 km 24 h, ...);
 * - monthly inspection of maintained systems (T7): inspectionDue.
 * A missed deadline escalates at once and again every escalateEveryS until it is met, up
 * to maxEscalations levels in all (level 1 = the next team in the chain), except that a missed
 * on-site deadline (T3 installer, T6 maintenance) is escalated at least once: a T6 deadline of
 * 48 h or 72 h falls after the 24 h resolve deadline's repeats have used up the levels, and a
 * visit that did not happen is news the next team must hear, not a repeat of the same miss.
 * The T4 installer call-back count is in installer-callbacks.ts (re-exported here).
 */
import type { Deadlines, FaultSeverity } from './fault-pack-schema.js'

export { installerCallbacks, type CallbackEvent, type InstallerCallbackStanding } from './installer-callbacks.js'

export type DeadlineKind = 'acknowledge' | 'resolve' | 'installer_on_site' | 'on_site'

export interface Deadline {
  kind: DeadlineKind
  /** Gateway time, ms. */
  at: number
  /** When it was met (the action's time), or null while not met. */
  metAt: number | null
  /** The pack's source of the time allowed (seed clause). */
  source: string
}

export interface Escalation {
  at: number
  /** 1 = the first team after the alert's own, 2 = the next, ... */
  level: number
  missed: DeadlineKind
}

export interface AlertTimes {
  raisedAt: number
  severity: FaultSeverity
  acknowledgedAt?: number | null
  resolvedAt?: number | null
  /** T3: the fault is a refrigerant or water leak the installation caused (a call-back judged so). */
  installationLeak?: boolean
  /** When the installer was on site (T3). */
  installerOnSiteAt?: number | null
  /** T6: distance from the service centre to the site, km; absent: no on-site deadline. */
  distanceKm?: number
  /** When maintenance was on site (T6). */
  onSiteAt?: number | null
}

export interface AlertDeadlines {
  deadlines: Deadline[]
  /** Every escalation the deadlines give, given what has been met so far, in time order. */
  escalations: Escalation[]
}

const ms = (s: { value: number }) => s.value * 1000

/** The T6 band for a distance: the first band whose maxKm it does not exceed (the last has none). */
export function onSiteWithin(d: Deadlines, distanceKm: number): { withinMs: number; source: string } {
  for (const band of d.onSiteByDistance) {
    if (band.maxKm === undefined || distanceKm <= band.maxKm.value) return { withinMs: ms(band.withinS), source: band.withinS.source }
  }
  // The schema guarantees a last band without maxKm; this line is never reached with a parsed pack.
  throw new Error('faults.deadlines.onSiteByDistance has no band for ' + distanceKm + ' km')
}

export function alertDeadlines(d: Deadlines, a: AlertTimes): AlertDeadlines {
  const sev = d.bySeverity[a.severity]
  const deadlines: Deadline[] = [
    { kind: 'acknowledge', at: a.raisedAt + ms(sev.acknowledgeS), metAt: a.acknowledgedAt ?? null, source: sev.acknowledgeS.source },
    { kind: 'resolve', at: a.raisedAt + ms(sev.resolveS), metAt: a.resolvedAt ?? null, source: sev.resolveS.source },
  ]
  if (a.installationLeak) deadlines.push({ kind: 'installer_on_site', at: a.raisedAt + ms(d.installationLeakOnSiteS), metAt: a.installerOnSiteAt ?? a.resolvedAt ?? null, source: d.installationLeakOnSiteS.source })
  if (a.distanceKm !== undefined) {
    const band = onSiteWithin(d, a.distanceKm)
    deadlines.push({ kind: 'on_site', at: a.raisedAt + band.withinMs, metAt: a.onSiteAt ?? a.resolvedAt ?? null, source: band.source })
  }
  // A resolved alert meets every deadline that was still open (an ack is implied).
  for (const dl of deadlines) if (dl.metAt === null && a.resolvedAt != null) dl.metAt = a.resolvedAt

  // Each missed deadline escalates at its time and then every escalateEveryS until met.
  const every = ms(d.escalateEveryS)
  const max = d.maxEscalations.value
  const times: { at: number; missed: DeadlineKind }[] = []
  for (const dl of deadlines) {
    for (let k = 0; k < max; k++) {
      const at = dl.at + k * every
      if (dl.metAt !== null && dl.metAt <= at) break
      times.push({ at, missed: dl.kind })
    }
  }
  times.sort((x, y) => x.at - y.at)
  const escalations: Escalation[] = []
  const missed = new Set<DeadlineKind>()
  for (const t of times) {
    if (escalations.length >= max && !(isVisit(t.missed) && !missed.has(t.missed))) continue
    missed.add(t.missed)
    escalations.push({ at: t.at, level: escalations.length + 1, missed: t.missed })
  }
  return { deadlines, escalations }
}

/** The deadlines of a visit on site (T3, T6): their first miss escalates past maxEscalations. */
export const isVisit = (k: DeadlineKind): boolean => k === 'on_site' || k === 'installer_on_site'

/** The escalations due at `now` (at or before it). */
export function escalationsDue(plan: AlertDeadlines, now: number): Escalation[] {
  return plan.escalations.filter((e) => e.at <= now)
}

/** When the next escalation falls after `now`, or null: what a single timer waits for. */
export function nextEscalationAt(plan: AlertDeadlines, now: number): number | null {
  for (const e of plan.escalations) if (e.at > now) return e.at
  return null
}

/** The fault name of the T7 alert a maintained unit's overdue inspection raises. */
export const INSPECTION_OVERDUE_FAULT = 'inspection_overdue'

/**
 * The severity of an overdue-inspection alert: the pack's, or 'minor'. Why minor by default: a
 * missed inspection is a service duty, not a fault of the unit, so it is held to the T5 deadlines
 * of service information (dispatched within 30 min, closed within 24 h, seed §5 ch.12).
 */
export function inspectionOverdueSeverity(d: Deadlines): { severity: FaultSeverity; source: string } {
  return d.inspectionOverdueSeverity !== undefined
    ? { severity: d.inspectionOverdueSeverity, source: 'the pack: faults.deadlines.inspectionOverdueSeverity' }
    : { severity: 'minor', source: "engineering default 'minor': a missed inspection is a service duty (T5, seed §5 ch.12), not a unit fault" }
}

/** T7: when a maintained system's next inspection is due and whether it is overdue. */
export function inspectionDue(d: Deadlines, s: { inServiceSince: number; lastInspectionAt?: number | null }, now: number): { dueAt: number; overdue: boolean; overdueMs: number; source: string } {
  const from = Math.max(s.inServiceSince, s.lastInspectionAt ?? s.inServiceSince)
  const dueAt = from + ms(d.inspectionEveryS)
  return { dueAt, overdue: now > dueAt, overdueMs: Math.max(0, now - dueAt), source: d.inspectionEveryS.source }
}
