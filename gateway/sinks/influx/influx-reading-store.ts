/**
 * Reads readings back from InfluxDB: the same ReadingStore contract as the SQLite log
 * (test/store/reading-store-contract.ts runs the same suite against both). A reading is a
 * channel field of a `commissioning` or `telemetry` point; receivedAt = ts + lag_s.
 */
import type { Reading } from '../../../contract/reading.js'
import type { InfluxConnection } from './influx-client.js'
import { LAG_FIELD, ident, qualified, tagIn, timeRange } from './influx-schema.js'
import type { ReadingQuery, ReadingStore } from '../../store/reading-store.js'

export class InfluxReadingStore implements ReadingStore {
  constructor(private readonly influx: InfluxConnection) {}

  async query(q: ReadingQuery): Promise<Reading[]> {
    if (q.deviceIds.length === 0 || q.from > q.to) return []
    const db = this.influx.database
    const [result] = await this.influx.query(
      `SELECT ${ident(q.channel)}, ${ident(LAG_FIELD)}, ${ident('device_id')} ` +
        `FROM ${qualified(db, 'commissioning')}, ${qualified(db, 'telemetry')} ` +
        `WHERE ${tagIn('device_id', q.deviceIds)} AND ${timeRange(q.from, q.to)}`,
    )
    const order = new Map(q.deviceIds.map((id, i) => [id, i]))
    // A reading of a device attached to two jobs is in two commissioning points: one reading.
    const seen = new Set<string>()
    const out: Reading[] = []
    for (const s of result?.series ?? []) {
      const col = (name: string) => s.columns.indexOf(name)
      const [iTime, iValue, iLag, iDevice] = [col('time'), col(q.channel), col(LAG_FIELD), col('device_id')]
      if (iValue < 0) continue
      for (const row of s.values) {
        const value = row[iValue]
        if (typeof value !== 'number') continue
        const ts = row[iTime] as number
        const deviceId = String(row[iDevice])
        const key = `${deviceId}\u0000${ts}`
        if (seen.has(key)) continue
        seen.add(key)
        const lag = row[iLag]
        out.push({ deviceId, channel: q.channel, ts, value, receivedAt: typeof lag === 'number' ? ts + Math.round(lag * 1000) : ts })
      }
    }
    // As the SQLite store: by device time, then in the order the devices were asked for.
    out.sort((a, b) => a.ts - b.ts || order.get(a.deviceId)! - order.get(b.deviceId)!)
    return out
  }
}
