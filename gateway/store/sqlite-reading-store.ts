import { CONFLICT_VALUES_LISTED, type Reading } from '../../contract/reading.js'
import type { Db } from './database.js'
import { sentOf } from './ingest-log.js'
import type { ReadingQuery, ReadingStore } from './reading-store.js'

interface Row {
  device_id: string
  ts: number
  value: number
  received_at: number
  /** Only from selectWithSent (the verdict's reads stay the four columns they were). */
  sent_value?: number | null
  sent_unit?: string | null
}

/** Reads back from the embedded log (the primary key serves device+channel+time ranges). */
export class SqliteReadingStore implements ReadingStore {
  private readonly select
  private readonly selectWithSent
  private readonly selectConflicts

  constructor(db: Db) {
    this.select = db.prepare<[string, string, number, number], Row>(
      'SELECT device_id, ts, value, received_at FROM readings WHERE device_id = ? AND channel = ? AND ts BETWEEN ? AND ? ORDER BY ts',
    )
    // The readings API's: the as-sent form beside each reading, by the same key.
    this.selectWithSent = db.prepare<[string, string, number, number], Row>(
      `SELECT r.device_id, r.ts, r.value, r.received_at, s.value AS sent_value, s.unit AS sent_unit FROM readings r
       LEFT JOIN readings_sent s USING (device_id, channel, ts) WHERE r.device_id = ? AND r.channel = ? AND r.ts BETWEEN ? AND ? ORDER BY r.ts`,
    )
    // One short range seek per query, usually finding nothing; arrival order from its index.
    this.selectConflicts = db.prepare<[string, string, number, number], { ts: number; value: number; received_at: number; sent_value: number | null; sent_unit: string | null }>(
      'SELECT ts, value, received_at, sent_value, sent_unit FROM readings_conflicts WHERE device_id = ? AND channel = ? AND ts BETWEEN ? AND ? ORDER BY ts, received_at, value',
    )
  }

  async query(q: ReadingQuery): Promise<Reading[]> {
    const out: Reading[] = []
    for (const deviceId of q.deviceIds) {
      const start = out.length
      for (const row of (q.withSent ? this.selectWithSent : this.select).iterate(deviceId, q.channel, q.from, q.to)) {
        const r: Reading = { deviceId: row.device_id, channel: q.channel, ts: row.ts, value: row.value, receivedAt: row.received_at }
        // As sent, only where the device gave a unit (no readings_sent row for a plain number).
        if (row.sent_unit != null && row.sent_value != null) r.sent = { value: row.sent_value, unit: row.sent_unit }
        out.push(r)
      }
      let i = start
      for (const c of this.selectConflicts.iterate(deviceId, q.channel, q.from, q.to)) {
        // Both sorted by ts, and every conflict has its reading (written in the same transaction).
        while (i < out.length && out[i]!.ts < c.ts) i++
        const r = out[i]
        if (r?.ts !== c.ts) continue
        const conflict = (r.conflict ??= { others: [] })
        const sent = q.withSent ? sentOf(c) : undefined
        if (conflict.others.length < CONFLICT_VALUES_LISTED) conflict.others.push(sent ? { value: c.value, receivedAt: c.received_at, sent } : { value: c.value, receivedAt: c.received_at })
        else conflict.truncated = true
      }
    }
    if (q.deviceIds.length > 1) out.sort((a, b) => a.ts - b.ts)
    return out
  }
}
