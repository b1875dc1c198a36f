/**
 * InfluxDB as a sink of the generic outbox (gateway/outbox/outbox.ts): its points are sink
 * 'influx' rows (a device and the device times one commit stored, gateway/outbox/point-times.ts;
 * the fields are read back from the readings table when forwarded), its verdicts sink
 * 'influx-verdicts', alert changes sink 'influx-alerts'. The
 * forwarder reads the queued points in order and acks them once InfluxDB has them all.
 *
 * InfluxDB's own state beside the outbox: attachments can change after readings were
 * forwarded (a job attached with `at` in the past, a detach sent late), so triggers on
 * job_devices record the affected window in `influx_requeue` and the forwarder re-routes that
 * device's readings in it; `influx_rollup` keeps late hours to roll up again. Its write
 * transactions are IMMEDIATE: it runs in its own thread, on its own connection, beside the
 * ingest's writes.
 */
import { CHANNEL_NAMES } from '../../../contract/channels.js'
import { OutboxAppender } from '../../outbox/outbox-appender.js'
import { Outbox } from '../../outbox/outbox.js'
import type { Db } from '../../store/database.js'
import type { VerdictRecord } from './influx-points.js'
import { parseStoredJson, StoredRowError } from '../../store/stored-json.js'
import { decodePointTimes } from '../../outbox/point-times.js'
import type { AlertChangeRecord } from '../../alerts/alert-points-relay.js'
import { JsonSinkQueue } from './json-sink-queue.js'
import { QueuedAlertChangeSchema } from './queued-alert.js'
import { QueuedVerdictSchema } from './queued-verdict.js'
import { attachmentEndSql } from '../../../rules/attachment-window.js'

/** The outbox sinks InfluxDB drains: points (appended by the ingest commit) and verdicts. */
export const INFLUX_SINK = 'influx'
export const INFLUX_VERDICT_SINK = 'influx-verdicts'
/** Alert changes, appended by the alerts' relay (gateway/alerts/alert-points-relay.ts) when InfluxDB is configured. */
export const INFLUX_ALERT_SINK = 'influx-alerts'

// A window [from, to] of one device whose routing (job or in service) may have changed.
const requeue = (device: string, from: string, to: string) =>
  `INSERT INTO influx_requeue (device_id, from_ts, to_ts, next_ts) VALUES (${device}, ${from}, ${to}, ${from});`
// The windows are the attachment rule's (rules/attachment-window.ts): [attached_at, its end].
const end = (row: 'OLD' | 'NEW') => attachmentEndSql(row)

const TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS influx_requeue_attach AFTER INSERT ON job_devices BEGIN
  ${requeue('NEW.device_id', 'NEW.attached_at', end('NEW'))}
END;
CREATE TRIGGER IF NOT EXISTS influx_requeue_detach AFTER UPDATE OF detached_at ON job_devices
WHEN OLD.attached_at = NEW.attached_at AND OLD.device_id = NEW.device_id AND OLD.detached_at IS NOT NEW.detached_at BEGIN
  ${requeue('NEW.device_id', `min(${end('OLD')}, ${end('NEW')})`, `max(${end('OLD')}, ${end('NEW')})`)}
END;
CREATE TRIGGER IF NOT EXISTS influx_requeue_change AFTER UPDATE OF job_id, device_id, attached_at ON job_devices
WHEN OLD.job_id IS NOT NEW.job_id OR OLD.device_id IS NOT NEW.device_id OR OLD.attached_at IS NOT NEW.attached_at BEGIN
  ${requeue('OLD.device_id', 'OLD.attached_at', end('OLD'))}
  ${requeue('NEW.device_id', 'NEW.attached_at', end('NEW'))}
END;
CREATE TRIGGER IF NOT EXISTS influx_requeue_delete AFTER DELETE ON job_devices BEGIN
  ${requeue('OLD.device_id', 'OLD.attached_at', end('OLD'))}
END;
`

const TRIGGER_NAMES = ['influx_requeue_attach', 'influx_requeue_detach', 'influx_requeue_change', 'influx_requeue_delete']

/**
 * With InfluxDB configured: the attachment triggers (a runtime switch, not schema: the tables
 * are the migrations'). Without: the triggers go (so nothing piles up for a forwarder that
 * does not run); rows left from an earlier run stay and are forwarded when InfluxDB is
 * configured again.
 */
export function configureInfluxOutbox(db: Db, enabled: boolean): void {
  if (enabled) {
    db.exec(TRIGGERS)
  } else {
    for (const name of TRIGGER_NAMES) db.exec(`DROP TRIGGER IF EXISTS ${name}`)
  }
}

export interface QueuedPoint {
  deviceId: string
  ts: number
}

export interface OutboxBatch {
  /** Last row id in the batch: forwarded(lastId) once InfluxDB has them all. */
  lastId: number
  points: QueuedPoint[]
  /** Readings the rows stand for. */
  readings: number
}

/** What waits in the outbox, as the forwarder's stats show it. */
export interface QueueStats {
  /** Readings acknowledged but not yet in InfluxDB. */
  backlog: number
  /** How long the oldest of them has waited (0 when none). */
  lagMs: number
  /** Attachment windows still to re-route; verdicts and alert changes waiting (parked ones included). */
  reroutes: number
  verdicts: number
  alerts: number
  /** Device-hours of late telemetry waiting for their roll-up to be recomputed. */
  rollups: number
}

export interface RequeueWindow {
  id: number
  deviceId: string
  from: number
  to: number
  purged: boolean
}

export class InfluxOutbox {
  private readonly outbox: Outbox
  private readonly appender: OutboxAppender
  private readonly selectRequeue
  private readonly markPurged
  private readonly selectChannelTimes
  private readonly advanceRequeue
  private readonly deleteRequeue
  private readonly countRequeue
  private readonly insertRollup
  private readonly selectRollups
  private readonly deleteRollup
  private readonly countRollups
  private readonly verdictQueue
  private readonly alertQueue
  private readonly parkedPoints: string[] = []

  constructor(private readonly db: Db) {
    this.outbox = new Outbox(db)
    this.appender = new OutboxAppender(this.outbox, [INFLUX_SINK])
    this.verdictQueue = new JsonSinkQueue(this.outbox, INFLUX_VERDICT_SINK, QueuedVerdictSchema)
    this.alertQueue = new JsonSinkQueue(this.outbox, INFLUX_ALERT_SINK, QueuedAlertChangeSchema)
    this.selectRequeue = db.prepare<[], { id: number; device_id: string; from_ts: number; to_ts: number; purged: number; channel_idx: number; next_ts: number }>(
      'SELECT * FROM influx_requeue ORDER BY id LIMIT 1',
    )
    this.markPurged = db.prepare<[number]>('UPDATE influx_requeue SET purged = 1 WHERE id = ?')
    // The readings primary key (device_id, channel, ts) serves each channel's range in order.
    this.selectChannelTimes = db.prepare<[string, string, number, number, number], { ts: number }>(
      'SELECT ts FROM readings WHERE device_id = ? AND channel = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?',
    )
    this.advanceRequeue = db.prepare<[number, number, number]>('UPDATE influx_requeue SET channel_idx = ?, next_ts = ? WHERE id = ?')
    this.deleteRequeue = db.prepare<[number]>('DELETE FROM influx_requeue WHERE id = ?')
    this.countRequeue = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM influx_requeue')
    this.insertRollup = db.prepare<[string, number]>('INSERT OR IGNORE INTO influx_rollup (device_id, hour) VALUES (?, ?)')
    this.selectRollups = db.prepare<[number], { device_id: string; hour: number }>('SELECT device_id, hour FROM influx_rollup ORDER BY device_id, hour LIMIT ?')
    this.deleteRollup = db.prepare<[string, number]>('DELETE FROM influx_rollup WHERE device_id = ? AND hour = ?')
    this.countRollups = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM influx_rollup')
  }

  /**
   * The oldest queued points, in ingest order: whole rows until there are at least `limit`
   * points (a row stands for up to MAX_TIMES_PER_ROW). A row whose times do not parse is parked
   * with the reason (takeParked()) and the batch goes on past it.
   */
  batch(limit: number): OutboxBatch | undefined {
    const points: QueuedPoint[] = []
    const unreadable: { id: number; why: string }[] = []
    let lastId: number | undefined
    let readings = 0
    for (const row of this.outbox.due(INFLUX_SINK)) {
      try {
        for (const ts of decodePointTimes(row.at, row.payload, `sink ${INFLUX_SINK} id ${row.id}`)) points.push({ deviceId: row.key, ts })
        readings += row.n
        lastId = row.id
      } catch (err) {
        if (!(err instanceof StoredRowError)) throw err
        unreadable.push({ id: row.id, why: err.message })
      }
      if (points.length >= limit) break
    }
    // After the loop: the connection runs nothing else while it reads.
    for (const u of unreadable) {
      this.outbox.park(INFLUX_SINK, u.id, u.why)
      this.parkedPoints.push(u.why)
    }
    return lastId === undefined ? undefined : { lastId, points, readings }
  }

  /** InfluxDB has every row up to `id`; `lateHours` of telemetry need their roll-up recomputed. */
  forwarded(id: number, lateHours: Iterable<[deviceId: string, hour: number]> = []): void {
    this.db.transaction(() => {
      for (const [device, hour] of lateHours) this.insertRollup.run(device, hour)
      this.outbox.ackUpTo(INFLUX_SINK, id)
    }).immediate()
  }

  /** Readings waiting and when the oldest was queued: index look-ups only, no count. */
  backlog(): { readings: number; oldestQueuedAt: number | undefined } {
    const b = this.outbox.backlog(INFLUX_SINK)
    return { readings: b.count, oldestQueuedAt: b.oldestQueuedAt }
  }

  queued(now: number): QueueStats {
    const b = this.backlog()
    return {
      backlog: b.readings,
      lagMs: b.oldestQueuedAt === undefined ? 0 : Math.max(0, now - b.oldestQueuedAt),
      reroutes: this.requeuePending(),
      verdicts: this.verdictsPending(),
      alerts: this.alertsPending(),
      rollups: this.rollupsPending(),
    }
  }

  nextRequeue(): RequeueWindow | undefined {
    const r = this.selectRequeue.get()
    return r && { id: r.id, deviceId: r.device_id, from: r.from_ts, to: r.to_ts, purged: r.purged === 1 }
  }

  markRequeuePurged(id: number): void {
    this.markPurged.run(id)
  }

  /**
   * Queues up to `limit` of the first window's readings again (channel by channel, in device
   * time), remembering the progress; returns true once the whole window is queued.
   */
  copyRequeued(limit: number, now: number): boolean {
    const copy = this.db.transaction((): boolean => {
      const r = this.selectRequeue.get()
      if (!r) return true
      this.appender.begin()
      let left = limit
      let idx = r.channel_idx
      let next = r.next_ts
      while (idx < CHANNEL_NAMES.length && left > 0) {
        const rows = this.selectChannelTimes.all(r.device_id, CHANNEL_NAMES[idx]!, next, r.to_ts, left)
        for (const row of rows) this.appender.mark(r.device_id, row.ts, now)
        left -= rows.length
        if (left > 0) {
          idx++
          next = r.from_ts
        } else {
          next = rows[rows.length - 1]!.ts + 1
        }
      }
      this.appender.end()
      if (idx >= CHANNEL_NAMES.length) {
        this.deleteRequeue.run(r.id)
        return true
      }
      this.advanceRequeue.run(idx, next, r.id)
      return false
    })
    return copy.immediate()
  }

  requeuePending(): number {
    return this.countRequeue.get()!.n
  }

  /** Queues a verdict (JSON of a VerdictRecord, influx-points.ts queuedVerdict()). */
  addVerdict(json: string, now: number): void {
    // key and time for the row; a verdict that does not parse is queued anyway and parked when read (verdicts()).
    let key = ''
    let at = 0
    try {
      const v = parseStoredJson(json, 'outbox', `sink ${INFLUX_VERDICT_SINK}`, QueuedVerdictSchema)
      key = v.jobId
      at = v.at
    } catch {
      // kept as written
    }
    this.outbox.append(INFLUX_VERDICT_SINK, { key, at, payload: json, queuedAt: now })
  }

  /**
   * The next verdicts, parsed. A row that does not parse (written by hand, or by a version
   * with another shape) is parked with the reason, named in `takeParked()`, and skipped: it
   * never stops the verdicts behind it.
   */
  verdicts(limit: number): { id: number; verdict: VerdictRecord }[] {
    return this.verdictQueue.take(limit).map((r) => ({ id: r.id, verdict: r.value }))
  }

  /** Why point, verdict and alert rows were parked since the last call (the forwarder logs them). */
  takeParked(): string[] {
    return [...this.parkedPoints.splice(0), ...this.verdictQueue.takeParked(), ...this.alertQueue.takeParked()]
  }

  verdictsForwarded(id: number): void {
    this.verdictQueue.forwarded(id)
  }

  verdictsPending(): number {
    return this.verdictQueue.pending()
  }

  /** The next alert changes (appended by gateway/alerts/alert-points-relay.ts), parsed; others parked. */
  alertChanges(limit: number): { id: number; change: AlertChangeRecord }[] {
    return this.alertQueue.take(limit).map((r) => ({ id: r.id, change: r.value }))
  }

  alertsForwarded(id: number): void {
    this.alertQueue.forwarded(id)
  }

  /** Alert changes waiting, parked ones included (a relayed change whose alert could not be read waits parked). */
  alertsPending(): number {
    return this.alertQueue.pending()
  }

  /** Hours waiting for their roll-up, by device (at most `limit` rows). */
  rollupsDue(limit: number): Map<string, number[]> {
    const out = new Map<string, number[]>()
    for (const r of this.selectRollups.all(limit)) out.set(r.device_id, [...(out.get(r.device_id) ?? []), r.hour])
    return out
  }

  rolledUp(deviceId: string, hours: readonly number[]): void {
    this.db.transaction(() => {
      for (const h of hours) this.deleteRollup.run(deviceId, h)
    }).immediate()
  }

  rollupsPending(): number {
    return this.countRollups.get()!.n
  }
}
