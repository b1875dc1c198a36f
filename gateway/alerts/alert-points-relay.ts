/**
 * Alert changes to the outbox sinks that chart them (issue 11: "Alerts are also written to
 * InfluxDB (when configured)"). The relay reads the audit trail as a durable log
 * (audit-feed.ts, consumer 'influx-alerts') and, in ONE transaction per batch, appends a row
 * per change to each sink the sinks module names and advances its cursor. So a change
 * committed just before a crash (the bus event lost with the process) is relayed at the next
 * start, and a change relayed is never relayed again.
 *
 * It knows no InfluxDB: like the ingest, it appends rows for the sink names it is given
 * (SinksModule.alertSinks); the sink's drainer builds its points from the record below.
 * A change whose alert record cannot be read (the unit left service, the row does not parse)
 * still gets its row, parked at once with the reason, so it stays visible instead of lost.
 *
 * Runs at start (catch-up) and after 'alert.changed' (one run per event-loop turn, however many
 * changes the alerts module told); a failed run is tried again after RETRY_MS.
 */
import type { FaultSeverity } from '../../rules/faults/fault-pack-schema.js'
import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import { Outbox } from '../outbox/outbox.js'
import { systemTimer, type Timer } from '../shared/backoff.js'
import type { Db } from '../store/database.js'
import type { AlertState, AuditAction } from './alert-lifecycle.js'
import type { AlertStore } from './alert-store.js'
import { AuditFeed, type FedChange } from './audit-feed.js'

/** The audit trail consumer the relay's cursor is kept under. */
export const ALERT_POINTS_CONSUMER = 'influx-alerts'
const BATCH = 500
const RETRY_MS = 5_000

/**
 * One alert change as a sink row carries it (JSON payload). From the audit entry: its time,
 * action, the state it led to and the team the alert was with. From the alert's record as
 * read when relayed (usually right after the commit; later after a restart): the rest.
 */
export interface AlertChangeRecord {
  /** The audit entry's sequence number (the trail's order). */
  seq: number
  at: number
  action: AuditAction
  state: AlertState
  team: string
  alertId: string
  deviceId: string
  fault: string
  /** The worst severity seen (the alert's severity column, the one its deadlines follow). */
  severity: FaultSeverity
  raisedAt: number
  /** Raise and re-triggers. */
  triggers: number
  faultCount: number
  value: number | null
  unit: string | null
}

export interface AlertPointsRelayOptions {
  db: Db
  store: AlertStore
  /** Outbox sinks to append each change for (none: the relay does nothing). */
  sinks: readonly string[]
  clock: Clock
  log: Log
  timer?: Timer
  batch?: number
}

export function alertChangeRecord(c: FedChange): AlertChangeRecord | null {
  const { entry, alert } = c
  if (!alert) return null
  return {
    seq: entry.seq,
    at: entry.at,
    action: entry.action,
    state: entry.to,
    team: entry.team,
    alertId: alert.id,
    deviceId: alert.deviceId,
    fault: alert.fault,
    severity: alert.worstSeverity,
    raisedAt: alert.raisedAt,
    triggers: alert.triggers,
    faultCount: alert.faultCount,
    value: alert.value,
    unit: alert.unit,
  }
}

export class AlertPointsRelay {
  private feed: AuditFeed
  private readonly outbox: Outbox
  private readonly relayBatch
  private scheduled: NodeJS.Immediate | undefined
  private retry: unknown
  private running = false
  readonly counters = { relayed: 0, parked: 0, failures: 0 }

  constructor(private readonly opts: AlertPointsRelayOptions) {
    this.feed = new AuditFeed(opts.db, opts.store, ALERT_POINTS_CONSUMER)
    this.outbox = new Outbox(opts.db)
    this.relayBatch = opts.db.transaction((changes: FedChange[], now: number) => {
      // Each sink's tail read once per batch (the relay is its only appender; IMMEDIATE: no one else writes meanwhile).
      const tails = opts.sinks.map((sink) => ({ sink, ...this.outbox.tailOf(sink) }))
      for (const c of changes) {
        const record = alertChangeRecord(c)
        const payload = JSON.stringify(record ?? { seq: c.entry.seq, entry: c.entry, problem: c.problem })
        for (const t of tails) {
          this.outbox.insertAt(t.sink, ++t.id, ++t.upto, { key: c.entry.alertId, at: c.entry.at, payload, queuedAt: now })
          if (!record) this.outbox.park(t.sink, t.id, `alert change seq ${c.entry.seq}: ${c.problem ?? 'no alert record'}`)
        }
      }
      this.feed.advance(changes[changes.length - 1]!.entry.seq)
    })
  }

  /** Catches up with the trail now (at start: changes committed before a crash). Idempotent. */
  start(): void {
    this.running = true
    this.run()
  }

  /** Relays after the current event-loop turn: the alerts module tells its changes one by one. */
  wake(): void {
    if (!this.running) return
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined
      this.run()
    })
  }

  /** Relays what is left, then stops (before the store closes). What a failure leaves waits in the trail. */
  stop(): void {
    if (!this.running) return
    this.running = false
    if (this.scheduled) clearImmediate(this.scheduled)
    this.scheduled = undefined
    if (this.retry !== undefined) (this.opts.timer ?? systemTimer).clear(this.retry)
    this.retry = undefined
    this.run()
  }

  /** Relays every change after the cursor, a batch per transaction. False if a batch failed. */
  run(): boolean {
    if (this.opts.sinks.length === 0) return true
    try {
      for (;;) {
        const changes = this.feed.next(this.opts.batch ?? BATCH)
        if (changes.length === 0) return true
        this.relayBatch.immediate(changes, this.opts.clock.now())
        this.counters.relayed += changes.length
        for (const c of changes) {
          if (c.alert !== null) continue
          this.counters.parked++
          this.opts.log('error', 'alert change parked for the sinks: its alert record cannot be read', { seq: c.entry.seq, alertId: c.entry.alertId, err: c.problem })
        }
      }
    } catch (err) {
      // The feed may have moved its cursor in memory inside the transaction that rolled back: read it again.
      this.feed = new AuditFeed(this.opts.db, this.opts.store, ALERT_POINTS_CONSUMER)
      this.counters.failures++
      this.opts.log('warn', 'alert changes not relayed to the sinks yet, will retry', { err: err instanceof Error ? err.message : String(err), retryInMs: RETRY_MS })
      this.armRetry()
      return false
    }
  }

  private armRetry(): void {
    if (!this.running || this.retry !== undefined) return
    const timer = this.opts.timer ?? systemTimer
    this.retry = timer.set(() => {
      this.retry = undefined
      this.run()
    }, RETRY_MS)
  }
}
