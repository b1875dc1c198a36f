/**
 * Per-team rate limit and grouping of alert deliveries (issue 11: "an alert storm ... deliveries
 * to a team are rate-limited and grouped"). One site losing power puts 200 units offline in a
 * minute: the team gets the first `maxPerWindow` one by one, then ONE grouped delivery at the
 * window's end with the count and a bounded list, instead of 200 messages. The retained
 * per-alert MQTT state is not grouped: `publish` always returns the event for it.
 *
 * Windows are fixed, opened by the first event after a quiet spell: [start, start + windowS).
 * A group flushed at a window's end opens the next window and counts as its first delivery, so a
 * storm that lasts gives one group per window. No event waits longer than windowS (60 s by
 * default), well inside the shortest deadline (T2: 20 min).
 *
 * Pure: time comes from the injected clock; `tick()` is called by the module's single timer at
 * `nextFlushAt()`. Memory per team: the window counters plus at most maxListed listed events.
 * The state of a team's window is handed out (`snapshot`, for the teams `takeDirty` names) and
 * taken back (`restore`), so the caller persists it in the transaction of the deliveries it
 * decided (alert-deliveries.ts, table delivery_groups): a restart forgets no held event.
 */
import type { Clock } from '../clock.js'
import type { FaultSeverity } from '../../rules/faults/fault-pack-schema.js'
import type { RateLimit } from './teams-config.js'

export type AlertEventKind = 'raised' | 'retriggered' | 'acknowledged' | 'assigned' | 'cleared' | 'escalated' | 'on_site' | 'updated'

export interface AlertEvent {
  kind: AlertEventKind
  alertId: string
  deviceId: string
  fault: string
  severity: FaultSeverity
  at: number
  message: string
}

export type TeamDelivery =
  | { kind: 'single'; teamId: string; at: number; event: AlertEvent }
  | {
      kind: 'group'
      teamId: string
      at: number
      windowStart: number
      /** Every event the group stands for. */
      count: number
      /** The first maxListed alerts, each with its latest event. */
      listed: AlertEvent[]
      /** Events not in `listed` (count minus the events `listed` stands for). */
      omitted: number
      byFault: Record<string, number>
      bySeverity: Partial<Record<FaultSeverity, number>>
      worstSeverity: FaultSeverity
    }

interface Pending {
  count: number
  /** Events folded into `listed` (an alert listed once, updated in place). */
  listedCount: number
  listed: AlertEvent[]
  index: Map<string, number>
  byFault: Map<string, number>
  bySeverity: Map<FaultSeverity, number>
  worst: FaultSeverity
}

interface TeamWindow {
  start: number | null
  sent: number
  pending: Pending | null
}

/** A team's window as plain JSON (bounded: maxListed events, MAX_FAULT_KEYS + 1 fault names, 4 severities). */
export interface TeamWindowState {
  start: number | null
  sent: number
  pending: {
    count: number
    listedCount: number
    listed: AlertEvent[]
    byFault: [string, number][]
    bySeverity: [FaultSeverity, number][]
    worst: FaultSeverity
  } | null
}

/** byFault keys kept per group; further fault names are counted under OTHER. */
const MAX_FAULT_KEYS = 50
export const OTHER_FAULTS = '(other)'
const RANK: Record<FaultSeverity, number> = { warning: 0, minor: 1, major: 2, critical: 3 }

export class DeliveryGrouping {
  private readonly windows = new Map<string, TeamWindow>()
  private readonly dirty = new Set<string>()

  constructor(
    private readonly clock: Clock,
    /** The team's rate limit (teams-config.ts); an unknown team gets the defaults there. */
    private readonly limitOf: (teamId: string) => RateLimit,
  ) {}

  /**
   * One alert event for the teams it concerns: `retained` is for the per-alert MQTT topic
   * (always), `deliveries` what goes to each team now (maybe none: held for the group).
   */
  publish(teamIds: readonly string[], ev: AlertEvent): { retained: AlertEvent; deliveries: TeamDelivery[] } {
    const now = this.clock.now()
    const deliveries: TeamDelivery[] = []
    for (const teamId of teamIds) {
      const lim = this.limitOf(teamId)
      const w = this.window(teamId)
      this.dirty.add(teamId)
      this.roll(teamId, w, now, lim, deliveries)
      if (w.start === null) {
        w.start = now
        w.sent = 0
      }
      if (w.sent < lim.maxPerWindow) {
        w.sent++
        deliveries.push({ kind: 'single', teamId, at: now, event: ev })
      } else {
        w.pending = hold(w.pending ?? emptyPending(ev.severity), ev, lim.maxListed)
      }
    }
    return { retained: ev, deliveries }
  }

  /** Flushes the groups whose window has ended. */
  tick(): TeamDelivery[] {
    const now = this.clock.now()
    const out: TeamDelivery[] = []
    for (const [teamId, w] of this.windows) {
      if (this.roll(teamId, w, now, this.limitOf(teamId), out)) this.dirty.add(teamId)
      if (w.start === null && w.pending === null) this.windows.delete(teamId) // quiet teams hold nothing
    }
    return out
  }

  /** The teams whose window changed since the last call (their snapshot is to be persisted). */
  takeDirty(): string[] {
    const out = [...this.dirty]
    this.dirty.clear()
    return out
  }

  /** A team's window as JSON, or null when it holds nothing (a quiet team). */
  snapshot(teamId: string): TeamWindowState | null {
    const w = this.windows.get(teamId)
    if (w === undefined || (w.start === null && w.pending === null)) return null
    const p = w.pending
    return {
      start: w.start,
      sent: w.sent,
      pending: p === null ? null : { count: p.count, listedCount: p.listedCount, listed: p.listed.slice(), byFault: [...p.byFault], bySeverity: [...p.bySeverity], worst: p.worst },
    }
  }

  /** Takes back a snapshot (at a start); the list is cut to the team's maxListed, as hold() would. */
  restore(teamId: string, s: TeamWindowState): void {
    const lim = this.limitOf(teamId)
    let pending: Pending | null = null
    if (s.pending !== null) {
      const listed = s.pending.listed.slice(0, lim.maxListed)
      const index = new Map<string, number>()
      listed.forEach((ev, i) => index.set(ev.alertId, i))
      pending = { count: s.pending.count, listedCount: s.pending.listedCount, listed, index, byFault: new Map(s.pending.byFault.slice(0, MAX_FAULT_KEYS + 1)), bySeverity: new Map(s.pending.bySeverity), worst: s.pending.worst }
    }
    this.windows.set(teamId, { start: s.start, sent: s.sent, pending })
  }

  /** When tick() next has something to flush, or null. */
  nextFlushAt(): number | null {
    let next: number | null = null
    for (const [teamId, w] of this.windows) {
      if (w.pending === null || w.start === null) continue
      const at = w.start + this.limitOf(teamId).windowS * 1000
      if (next === null || at < next) next = at
    }
    return next
  }

  /** Events held for a team's next group (for /healthz and tests). */
  heldFor(teamId: string): number {
    return this.windows.get(teamId)?.pending?.count ?? 0
  }

  private window(teamId: string): TeamWindow {
    let w = this.windows.get(teamId)
    if (w === undefined) {
      w = { start: null, sent: 0, pending: null }
      this.windows.set(teamId, w)
    }
    return w
  }

  /** Ends the window if it is over; true if it did. */
  private roll(teamId: string, w: TeamWindow, now: number, lim: RateLimit, out: TeamDelivery[]): boolean {
    if (w.start === null || now < w.start + lim.windowS * 1000) return false
    const end = w.start + lim.windowS * 1000
    if (w.pending === null) {
      w.start = null
      w.sent = 0
      return true
    }
    out.push(group(teamId, now, w.start, w.pending))
    // The group opens the next window at the old one's end and is its first delivery.
    w.pending = null
    w.start = now < end + lim.windowS * 1000 ? end : now
    w.sent = 1
    return true
  }
}

function emptyPending(sev: FaultSeverity): Pending {
  return { count: 0, listedCount: 0, listed: [], index: new Map(), byFault: new Map(), bySeverity: new Map(), worst: sev }
}

function hold(p: Pending, ev: AlertEvent, maxListed: number): Pending {
  p.count++
  const i = p.index.get(ev.alertId)
  if (i !== undefined) {
    p.listed[i] = ev
    p.listedCount++
  } else if (p.listed.length < maxListed) {
    p.index.set(ev.alertId, p.listed.length)
    p.listed.push(ev)
    p.listedCount++
  }
  const key = p.byFault.has(ev.fault) || p.byFault.size < MAX_FAULT_KEYS ? ev.fault : OTHER_FAULTS
  p.byFault.set(key, (p.byFault.get(key) ?? 0) + 1)
  p.bySeverity.set(ev.severity, (p.bySeverity.get(ev.severity) ?? 0) + 1)
  if (RANK[ev.severity] > RANK[p.worst]) p.worst = ev.severity
  return p
}

function group(teamId: string, at: number, windowStart: number, p: Pending): TeamDelivery {
  // fromEntries defines own keys: a fault named '__proto__' stays a plain key.
  const byFault: Record<string, number> = Object.fromEntries(p.byFault)
  const bySeverity: Partial<Record<FaultSeverity, number>> = Object.fromEntries(p.bySeverity)
  return { kind: 'group', teamId, at, windowStart, count: p.count, listed: p.listed, omitted: p.count - p.listedCount, byFault, bySeverity, worstSeverity: p.worst }
}
