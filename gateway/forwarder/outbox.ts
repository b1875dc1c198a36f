/**
 * The forwarder's side of the outbox tables (created in gateway/store/influx-outbox.ts): read
 * the queued points in order, delete them once InfluxDB has them, re-queue windows whose job
 * attachments changed, and keep the verdicts and late roll-up hours waiting. Its write
 * transactions are IMMEDIATE: it runs in its own thread, on its own connection, beside the
 * ingest's writes.
 */
import { CHANNEL_NAMES } from '../../contract/channels.js'
import type { Db } from '../store/database.js'
import { OutboxAppender } from '../store/influx-outbox.js'

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
  /** Attachment windows still to re-route; verdicts waiting. */
  reroutes: number
  verdicts: number
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
  private readonly appender: OutboxAppender
  private readonly selectBatch
  private readonly deleteUpTo
  private readonly ends
  private readonly selectRequeue
  private readonly markPurged
  private readonly selectChannelTimes
  private readonly advanceRequeue
  private readonly deleteRequeue
  private readonly countRequeue
  private readonly insertVerdict
  private readonly selectVerdicts
  private readonly deleteVerdicts
  private readonly countVerdicts
  private readonly insertRollup
  private readonly selectRollups
  private readonly deleteRollup
  private readonly countRollups

  constructor(private readonly db: Db) {
    this.appender = new OutboxAppender(db)
    this.selectBatch = db.prepare<[number], { id: number; device_id: string; ts: number; n: number }>('SELECT id, device_id, ts, n FROM influx_outbox ORDER BY id LIMIT ?')
    this.deleteUpTo = db.prepare<[number]>('DELETE FROM influx_outbox WHERE id <= ?')
    // Head and tail in one statement, so one snapshot: the forwarder thread deletes rows in between otherwise.
    this.ends = db.prepare<[], { n: number; upto: number; queued_at: number; tail_upto: number }>(
      'SELECT n, upto, queued_at, (SELECT upto FROM influx_outbox ORDER BY id DESC LIMIT 1) AS tail_upto FROM influx_outbox ORDER BY id LIMIT 1',
    )
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
    this.insertVerdict = db.prepare<[string]>('INSERT INTO influx_verdicts (verdict) VALUES (?)')
    this.selectVerdicts = db.prepare<[number], { id: number; verdict: string }>('SELECT id, verdict FROM influx_verdicts ORDER BY id LIMIT ?')
    this.deleteVerdicts = db.prepare<[number]>('DELETE FROM influx_verdicts WHERE id <= ?')
    this.countVerdicts = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM influx_verdicts')
    this.insertRollup = db.prepare<[string, number]>('INSERT OR IGNORE INTO influx_rollup (device_id, hour) VALUES (?, ?)')
    this.selectRollups = db.prepare<[number], { device_id: string; hour: number }>('SELECT device_id, hour FROM influx_rollup ORDER BY device_id, hour LIMIT ?')
    this.deleteRollup = db.prepare<[string, number]>('DELETE FROM influx_rollup WHERE device_id = ? AND hour = ?')
    this.countRollups = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM influx_rollup')
  }

  /** The oldest `limit` queued points, in ingest order. */
  batch(limit: number): OutboxBatch | undefined {
    const rows = this.selectBatch.all(limit)
    if (rows.length === 0) return undefined
    let readings = 0
    for (const r of rows) readings += r.n
    return { lastId: rows[rows.length - 1]!.id, points: rows.map((r) => ({ deviceId: r.device_id, ts: r.ts })), readings }
  }

  /** InfluxDB has every row up to `id`; `lateHours` of telemetry need their roll-up recomputed. */
  forwarded(id: number, lateHours: Iterable<[deviceId: string, hour: number]> = []): void {
    this.db.transaction(() => {
      for (const [device, hour] of lateHours) this.insertRollup.run(device, hour)
      this.deleteUpTo.run(id)
    }).immediate()
  }

  /** Readings waiting and when the oldest was queued: index look-ups only, no count. */
  backlog(): { readings: number; oldestQueuedAt: number | undefined } {
    const h = this.ends.get()
    if (!h) return { readings: 0, oldestQueuedAt: undefined }
    return { readings: h.tail_upto - h.upto + h.n, oldestQueuedAt: h.queued_at }
  }

  queued(now: number): QueueStats {
    const b = this.backlog()
    return {
      backlog: b.readings,
      lagMs: b.oldestQueuedAt === undefined ? 0 : Math.max(0, now - b.oldestQueuedAt),
      reroutes: this.requeuePending(),
      verdicts: this.verdictsPending(),
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

  addVerdict(json: string): void {
    this.insertVerdict.run(json)
  }

  verdicts(limit: number): { id: number; verdict: string }[] {
    return this.selectVerdicts.all(limit)
  }

  verdictsForwarded(id: number): void {
    this.deleteVerdicts.run(id)
  }

  verdictsPending(): number {
    return this.countVerdicts.get()!.n
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
