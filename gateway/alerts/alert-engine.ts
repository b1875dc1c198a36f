/**
 * The alerts of units in service (issue 11), between the bus and SQLite: evaluator steps in,
 * committed alert changes out. The alerts module queues inputs here from its listeners (the
 * ack path only queues) and calls `drain()` off that path; `tick(now)` runs what time alone
 * decides (silence, clear on silence, escalation, T7 overdue inspections). Every batch of
 * changes (fault states, alerts, audit entries, T4 call-backs) is one SQLite transaction, and
 * 'alert.changed' is told only after it committed.
 *
 * T6 / T7 (DOMAIN.md): a unit's distance from its service centre gives its new alerts an
 * on-site deadline (unit-facts.ts); a distance set or corrected later is applied to its open
 * alerts (`unitFactsChanged`). A maintained unit whose monthly inspection is overdue raises one
 * `inspection_overdue` alert (inspection-watch.ts), cleared by `inspectionRecorded`.
 */
import { randomUUID } from 'node:crypto'

import type { Reading } from '../../contract/reading.js'
import { routeReading, type AttachmentWindow } from '../../rules/attachment-window.js'
import type { ErrorCodeReport, FaultTransition, LinkEvent } from '../../rules/faults/index.js'
import { INSPECTION_OVERDUE_FAULT } from '../../rules/faults/deadlines.js'
import type { Deadlines, FaultsSection } from '../../rules/faults/fault-pack-schema.js'
import type { EventBus } from '../bus/event-bus.js'
import type { Log } from '../log.js'
import type { Db } from '../store/database.js'
import { currentTeam, escalate, reduceAlert, type Alert, type AlertCommand, type AlertContext, type AlertResult, type AuditEntry } from './alert-lifecycle.js'
import { AlertStore, type AlertBatch } from './alert-store.js'
import { FaultWatch } from './fault-watch.js'
import type { InServiceRepository, InServiceUnit } from './in-service-repository.js'
import type { InspectionLog } from './inspection-log.js'
import { InspectionWatch } from './inspection-watch.js'
import { chainOf, teamsFor, type TeamsConfig } from './teams-config.js'
import { LEAK_FAULTS, unitFactsOf } from './unit-facts.js'

export { LEAK_FAULTS } from './unit-facts.js'

/** Without a teams file every alert is kept and listed under this team (no deliveries). */
export const UNASSIGNED_TEAM = 'unassigned'

/** While a unit has an open alert, its evaluators are ticked this often (clear on silence of error codes), ms. */
export const BUSY_TICK_MS = 60_000

type Input = { kind: 'readings'; readings: Reading[]; at: number } | { kind: 'codes'; report: ErrorCodeReport; at: number } | { kind: 'link'; ev: LinkEvent; at: number }

interface Pending {
  batch: AlertBatch
  alerts: Map<string, Alert>
  events: { alert: Alert; entry: AuditEntry }[]
}

export interface AlertEngineDeps {
  db: Db
  bus: EventBus
  log: Log
  inService: InServiceRepository
  inspections: InspectionLog
  teams: TeamsConfig | undefined
  owner: string
}

export class AlertEngine {
  readonly store: AlertStore
  readonly watch = new FaultWatch()
  readonly inspectionWatch = new InspectionWatch()
  private readonly units = new Map<string, InServiceUnit & { faults: FaultsSection }>()
  private readonly open = new Map<string, Alert>()
  private readonly spans = new Map<string, (AttachmentWindow & { jobId: string })[]>()
  private readonly selectSpans
  private queue: Input[] = []
  private nextBusyTick = 0
  readonly counters = { inputs: 0, readings: 0, transitions: 0, changes: 0, batches: 0, skipped: 0 }

  constructor(private readonly deps: AlertEngineDeps) {
    this.store = new AlertStore(deps.db, (id) => this.units.get(id)?.faults.deadlines)
    this.selectSpans = deps.db.prepare<[string], { job_id: string; attached_at: number; detached_at: number | null }>('SELECT job_id, attached_at, detached_at FROM job_devices WHERE device_id = ?')
  }

  /** Reads units, states and open alerts back (after a restart at `now`). */
  load(now: number): void {
    const states = this.store.states()
    const inspected = this.deps.inspections.lastAtAll()
    for (const u of this.deps.inService.all()) this.add(u, states.get(u.deviceId), now, inspected.get(u.deviceId) ?? null, now)
    for (const a of this.store.open()) this.open.set(keyOf(a.deviceId, a.fault), a)
    const p = this.pending()
    // An inspection recorded just before a crash, its alert's clear not yet committed: clear it now.
    for (const a of [...this.open.values()]) if (a.fault === INSPECTION_OVERDUE_FAULT && !this.inspectionWatch.overdue(a.deviceId, now)) this.clearInspection(a.deviceId, now, 'inspection no longer overdue (found at start)', p)
    this.commit(p, now)
  }

  /** A unit entered service (or again): watched afresh with its pack's faults section. */
  unitInService(deviceId: string, now: number): void {
    const u = this.deps.inService.get(deviceId)
    if (!u) return
    this.add(u, undefined, now, this.deps.inspections.lastAt(deviceId))
    const p = this.pending()
    this.applyFacts(deviceId, now, p)
    this.commit(p, now)
  }

  /**
   * The unit's service facts changed (distance, maintained): its open alerts take the new
   * distance (their on-site deadline counted from their raise), the inspection watch the contract.
   */
  unitFactsChanged(deviceId: string, now: number): void {
    const u = this.deps.inService.get(deviceId)
    const watched = this.units.get(deviceId)
    if (!u || !watched) return
    this.units.set(deviceId, { ...u, faults: watched.faults })
    this.inspectionWatch.set(deviceId, watched.faults.deadlines, u.maintainedSince ?? null, this.deps.inspections.lastAt(deviceId))
    const p = this.pending()
    this.applyFacts(deviceId, now, p)
    if (!this.inspectionWatch.overdue(deviceId, now)) this.clearInspection(deviceId, now, u.maintainedSince === undefined ? 'no longer under a maintenance contract' : 'inspection no longer overdue', p)
    this.commit(p, now)
  }

  /** T7: an inspection was recorded (InspectionLog): the unit's overdue alert clears once it is no longer overdue. */
  inspectionRecorded(deviceId: string, at: number, note: string, now: number): void {
    this.drain()
    this.inspectionWatch.inspected(deviceId, at)
    const p = this.pending()
    if (!this.inspectionWatch.overdue(deviceId, now)) this.clearInspection(deviceId, now, note, p)
    this.commit(p, now)
  }

  get size(): number {
    return this.units.size
  }

  isWatched = (deviceId: string): boolean => this.units.has(deviceId)

  /** Job attachments changed: the device's spans are read again when next needed. */
  attachmentsChanged(deviceId: string): void {
    this.spans.delete(deviceId)
  }

  enqueueReadings(readings: Reading[], at: number): void {
    if (readings.length > 0) this.queue.push({ kind: 'readings', readings, at })
  }

  enqueueCodes(report: ErrorCodeReport, at: number): void {
    if (this.units.has(report.deviceId)) this.queue.push({ kind: 'codes', report, at })
  }

  enqueueLink(ev: LinkEvent, at: number): void {
    if (this.units.has(ev.deviceId)) this.queue.push({ kind: 'link', ev, at })
  }

  get queued(): number {
    return this.queue.length
  }

  /** Evaluates everything queued, as one batch; each input at the gateway time it was queued. */
  drain(): void {
    if (this.queue.length === 0) return
    const inputs = this.queue
    this.queue = []
    const p = this.pending()
    let last = 0
    for (const input of inputs) {
      this.counters.inputs++
      last = input.at
      if (input.kind === 'readings') {
        for (const r of input.readings) {
          const u = this.units.get(r.deviceId)
          // Commissioning readings never feed the fault rules (rules/attachment-window.ts).
          if (!u || routeReading(this.spansOf(r.deviceId), r.ts, u.since).kind !== 'in_service') {
            this.counters.skipped++
            continue
          }
          this.counters.readings++
          this.feed(this.watch.reading(r, input.at), p)
        }
      } else if (input.kind === 'codes') {
        this.feed(this.watch.errorCodes(input.report, input.at), p)
      } else {
        this.feed(this.watch.link(input.ev, input.at), p)
      }
    }
    this.commit(p, last)
  }

  /** What time alone decides at `now`: units due for silence, busy units' ticks, escalations. */
  tick(now: number): void {
    this.drain()
    const p = this.pending()
    for (const id of this.watch.silence.takeDue(now)) this.feed(this.watch.tick(id, now), p)
    // T7: each unit once per overdue period; an open overdue alert (e.g. read back at start) is not raised again.
    for (const t of this.inspectionWatch.due(now)) if (!this.open.has(keyOf(t.deviceId, t.fault))) this.feed([t], p)
    if (now >= this.nextBusyTick) {
      this.nextBusyTick = now + BUSY_TICK_MS
      const busy = new Set<string>()
      for (const a of this.open.values()) busy.add(a.deviceId)
      for (const id of busy) this.feed(this.watch.tick(id, now), p)
    }
    for (const a of [...this.open.values()]) {
      const d = this.units.get(a.deviceId)?.faults.deadlines
      if (!d) continue
      const r = escalate(p.alerts.get(a.id) ?? a, now, d)
      if (r.audit.length > 0) this.record(r.alert, r.audit, p)
    }
    this.commit(p, now)
  }

  /** When tick() has something to do next (gateway ms), or null: what the one timer waits for. */
  nextDueAt(now: number): number | null {
    let next = this.watch.silence.nextDueAt()
    const earlier = (t: number | null): void => {
      if (t !== null && (next === null || t < next)) next = t
    }
    earlier(this.inspectionWatch.nextDueAt())
    if (this.open.size > 0) earlier(Math.max(this.nextBusyTick, now))
    for (const a of this.open.values()) {
      const last = a.escalations.length > 0 ? a.escalations[a.escalations.length - 1]!.at : -Infinity
      for (const e of a.plan.escalations) {
        if (e.at > last) {
          earlier(e.at)
          break
        }
      }
    }
    return next
  }

  /** A person's acknowledge / assign / clear; committed before it returns. */
  command(alertId: string, cmd: Exclude<AlertCommand, { kind: 'fault' }>): AlertResult & { seq?: number } {
    this.drain()
    const current = this.openById(alertId) ?? this.store.get(alertId) ?? null
    const ctx = current ? this.contextOf(current.deviceId) : undefined
    if (!current || !ctx) return reduceAlert(null, cmd, { deadlines: {} as Deadlines, newId: randomUUID, chainFor: () => [] })
    const r = reduceAlert(current, cmd, ctx)
    if (!r.ok) return r
    const p = this.pending()
    this.record(r.alert, r.audit, p)
    this.commit(p, cmd.at)
    return r
  }

  /** The deadlines a unit's alerts are held to (its pack's faults section). */
  deadlinesOf(deviceId: string | undefined): Deadlines | undefined {
    return deviceId === undefined ? undefined : this.units.get(deviceId)?.faults.deadlines
  }

  openAlerts(): number {
    return this.open.size
  }

  private openById(id: string): Alert | undefined {
    for (const a of this.open.values()) if (a.id === id) return a
    return undefined
  }

  private add(u: InServiceUnit, stored: ReadonlyMap<string, unknown> | undefined, now: number, lastInspectionAt: number | null, restartedAt?: number): void {
    const faults = u.pack.faults
    this.spans.delete(u.deviceId)
    if (!faults) {
      // The unit's pack watches nothing: it is in service, without alerts.
      this.units.delete(u.deviceId)
      this.watch.unwatch(u.deviceId)
      this.inspectionWatch.unwatch(u.deviceId)
      return
    }
    this.units.set(u.deviceId, { ...u, faults })
    this.inspectionWatch.set(u.deviceId, faults.deadlines, u.maintainedSince ?? null, lastInspectionAt)
    for (const p of this.watch.watch(u.deviceId, faults, u.unit, stored, now, restartedAt)) {
      this.deps.log('warn', 'fault state not readable; started afresh', { ...p })
    }
  }

  private spansOf(deviceId: string): (AttachmentWindow & { jobId: string })[] {
    let s = this.spans.get(deviceId)
    if (!s) {
      s = this.selectSpans.all(deviceId).map((r) => ({ jobId: r.job_id, attachedAt: r.attached_at, detachedAt: r.detached_at }))
      this.spans.set(deviceId, s)
    }
    return s
  }

  private contextOf(deviceId: string): AlertContext | undefined {
    const u = this.units.get(deviceId)
    if (!u) return undefined
    const teams = this.deps.teams
    return {
      deadlines: u.faults.deadlines,
      newId: randomUUID,
      chainFor: () => {
        if (!teams) return [UNASSIGNED_TEAM]
        const own = teamsFor(teams, { siteId: u.site, region: u.region, installerId: u.installerId, tags: u.tags })[0]
        return own === undefined ? [UNASSIGNED_TEAM] : chainOf(teams, own)
      },
      unitFacts: (_id, fault) => unitFactsOf(u, fault),
    }
  }

  private feed(transitions: FaultTransition[], p: Pending): void {
    for (const t of transitions) {
      this.counters.transitions++
      const ctx = this.contextOf(t.deviceId)
      if (!ctx) continue
      const key = keyOf(t.deviceId, t.fault)
      const current = this.open.get(key) ?? null
      if (t.kind === 'clear' && current === null) continue
      const r = reduceAlert(current, { kind: 'fault', transition: t }, ctx)
      if (!r.ok) {
        this.deps.log('warn', 'fault transition not applied', { deviceId: t.deviceId, fault: t.fault, err: r.error.message })
        continue
      }
      this.record(r.alert, r.audit, p)
      if (r.audit[0]?.action === 'raise') this.callback(r.alert, p)
    }
  }

  /** The unit's facts (T6 distance) applied to its open alerts. */
  private applyFacts(deviceId: string, now: number, p: Pending): void {
    const u = this.units.get(deviceId)
    const ctx = this.contextOf(deviceId)
    if (!u || !ctx || u.distanceKm === undefined) return
    for (const a of [...this.open.values()]) {
      if (a.deviceId !== deviceId) continue
      const r = reduceAlert(p.alerts.get(a.id) ?? a, { kind: 'facts', at: now, facts: unitFactsOf(u, a.fault) }, ctx)
      if (r.ok && r.audit.length > 0) this.record(r.alert, r.audit, p)
    }
  }

  /** Clears the unit's open inspection_overdue alert, if it has one. */
  private clearInspection(deviceId: string, now: number, note: string, p: Pending): void {
    const key = keyOf(deviceId, INSPECTION_OVERDUE_FAULT)
    if (!this.open.has(key)) return
    this.feed([this.inspectionWatch.clearOf(deviceId, now, note)], p)
  }

  /** T4: a leak alert within afterInstallS of the unit's inServiceSince counts against its job's installer. */
  private callback(a: Alert, p: Pending): void {
    const u = this.units.get(a.deviceId)
    if (!u || u.jobId === null || u.installerId === null || !LEAK_FAULTS.has(a.fault)) return
    const since = a.raisedAt - u.since
    if (since < 0 || since > u.faults.deadlines.installerCallbacks.afterInstallS.value * 1000) return
    p.batch.callbacks.push({ alertId: a.id, installerId: u.installerId, jobId: u.jobId, deviceId: a.deviceId, installedAt: u.since, callbackAt: a.raisedAt, leak: true })
  }

  private record(alert: Alert, audit: AuditEntry[], p: Pending): void {
    p.alerts.set(alert.id, alert)
    const key = keyOf(alert.deviceId, alert.fault)
    if (alert.state === 'cleared') {
      if (this.open.get(key)?.id === alert.id) this.open.delete(key)
    } else {
      this.open.set(key, alert)
    }
    for (const entry of audit) {
      p.batch.audit.push({ entry, team: currentTeam(alert) })
      p.events.push({ alert, entry })
    }
  }

  private pending(): Pending {
    return { batch: { states: [], alerts: [], audit: [], callbacks: [] }, alerts: new Map(), events: [] }
  }

  private commit(p: Pending, _at: number): void {
    p.batch.states = this.watch.takeDirty()
    p.batch.alerts = [...p.alerts.values()]
    if (p.batch.states.length === 0 && p.batch.alerts.length === 0) return
    const seqs = this.store.commit(p.batch)
    this.counters.batches++
    this.counters.changes += p.events.length
    // Told after the commit: a listener that reads the store finds the change there.
    for (let i = 0; i < p.events.length; i++) {
      const e = p.events[i]!
      this.deps.bus.emit('alert.changed', { alert: e.alert, entry: { ...e.entry, seq: seqs[i]! } })
    }
  }
}

const keyOf = (deviceId: string, fault: string): string => `${deviceId}\u0000${fault}`
