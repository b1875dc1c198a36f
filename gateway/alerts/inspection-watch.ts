/**
 * T7 (DOMAIN.md; seed §14 四.3 "月检:每月按期...进行一次检测"): a maintained unit is inspected
 * every month; when its inspection is overdue the alerts module raises one `inspection_overdue`
 * alert, cleared when an inspection is recorded. For many units at once without a timer per
 * unit: one due index (the silence index of rules/faults/silence-index.ts, whose buckets suit
 * any due time) and the alerts module's one timer at the earliest due time. No I/O and no
 * clock: the module passes `now` and the last inspection times (from InspectionLog).
 */
import { INSPECTION_OVERDUE_FAULT, inspectionDue, inspectionOverdueSeverity } from '../../rules/faults/deadlines.js'
import type { Deadlines } from '../../rules/faults/fault-pack-schema.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'
import { SilenceIndex } from '../../rules/faults/silence-index.js'

const DAY_MS = 86_400_000

interface Maintained {
  deadlines: Deadlines
  since: number
  lastAt: number | null
}

export class InspectionWatch {
  private readonly units = new Map<string, Maintained>()
  /** Resolution 1 min: an overdue inspection is a matter of days; at most a minute late. */
  private readonly index = new SilenceIndex(60_000)

  get size(): number {
    return this.units.size
  }

  /** The unit is maintained since `since` (null: not maintained, not watched). */
  set(deviceId: string, d: Deadlines, since: number | null, lastAt: number | null): void {
    if (since === null) return this.unwatch(deviceId)
    const m: Maintained = { deadlines: d, since, lastAt }
    this.units.set(deviceId, m)
    // inspectionDue: overdue once now > dueAt, so the first overdue ms is dueAt + 1.
    this.index.set(deviceId, inspectionDue(d, { inServiceSince: since, lastInspectionAt: lastAt }, since).dueAt + 1)
  }

  unwatch(deviceId: string): void {
    this.units.delete(deviceId)
    this.index.set(deviceId, null)
  }

  /** An inspection was recorded: the next is due a month after it. */
  inspected(deviceId: string, at: number): void {
    const m = this.units.get(deviceId)
    if (!m) return
    this.set(deviceId, m.deadlines, m.since, Math.max(at, m.lastAt ?? at))
  }

  /** Whether the unit's inspection is overdue at `now`. */
  overdue(deviceId: string, now: number): boolean {
    const m = this.units.get(deviceId)
    return m !== undefined && inspectionDue(m.deadlines, { inServiceSince: m.since, lastInspectionAt: m.lastAt }, now).overdue
  }

  /**
   * The raises of units whose inspection became overdue by `now` (each unit once: it leaves
   * the index until an inspection or a change of its facts puts it back).
   */
  due(now: number): FaultTransition[] {
    const out: FaultTransition[] = []
    for (const id of this.index.takeDue(now)) {
      const m = this.units.get(id)
      if (!m) continue
      const due = inspectionDue(m.deadlines, { inServiceSince: m.since, lastInspectionAt: m.lastAt }, now)
      if (!due.overdue) {
        this.index.set(id, due.dueAt + 1)
        continue
      }
      out.push(overdueRaise(id, m, due.dueAt, due.source, now))
    }
    return out
  }

  /** The clear of the unit's overdue alert once an inspection is recorded. */
  clearOf(deviceId: string, at: number, message: string): FaultTransition {
    const m = this.units.get(deviceId)
    const sev = m ? inspectionOverdueSeverity(m.deadlines).severity : 'minor'
    return { kind: 'clear', deviceId, fault: INSPECTION_OVERDUE_FAULT, severity: sev, at, value: null, peak: null, unit: null, limit: null, count: 0, since: null, clause: 'T7', source: m?.deadlines.inspectionEveryS.source ?? 'T7', message }
  }

  nextDueAt(): number | null {
    return this.index.nextDueAt()
  }
}

function overdueRaise(deviceId: string, m: Maintained, dueAt: number, source: string, now: number): FaultTransition {
  const sev = inspectionOverdueSeverity(m.deadlines)
  const from = m.lastAt ?? m.since
  const days = Math.floor((now - from) / DAY_MS)
  const everyDays = m.deadlines.inspectionEveryS.value / 86_400
  const last = m.lastAt === null ? `never inspected since maintained from ${new Date(m.since).toISOString()}` : `last inspected ${new Date(m.lastAt).toISOString()}`
  return {
    kind: 'raise',
    deviceId,
    fault: INSPECTION_OVERDUE_FAULT,
    severity: sev.severity,
    at: now,
    value: days,
    peak: null,
    unit: 'd',
    limit: everyDays,
    count: 1,
    since: dueAt,
    clause: 'T7',
    source: `${source}; severity: ${sev.source}`,
    message: `monthly inspection overdue since ${new Date(dueAt).toISOString()} (${last}; due every ${everyDays} days)`,
  }
}
