/**
 * The forwarder's read-back of queued points (gateway/sinks/influx/routing.ts PointReader):
 * SQLite merges a point's readings into JSON, so the values must come back as the very
 * doubles stored (evidence: InfluxDB must hold what the device sent), whatever their digits.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CHANNEL_NAMES } from '../../../contract/channels.js'
import { mulberry32 } from '../../../firmware-sim/prng.js'
import { PointReader } from '../../../gateway/sinks/influx/routing.js'
import { openDatabase, type Db } from '../../../gateway/store/database.js'

let dir: string
let db: Db
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-point-reader-'))
  db = openDatabase(dir, 'normal')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = Date.UTC(2026, 11, 1, 8, 0, 0)
const insert = (deviceId: string, channel: string, ts: number, value: number, receivedAt: number) =>
  db.prepare('INSERT INTO readings (device_id, channel, ts, value, received_at) VALUES (?, ?, ?, ?, ?)').run(deviceId, channel, ts, value, receivedAt)

it('every value comes back as the double stored: 20,000 random ones of every magnitude and the awkward ones', () => {
  const random = mulberry32(7)
  const awkward = [0.1, 0.2 + 0.1, 1 / 3, -0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e21, 123456.78901234567, 820.5, -40, 2 ** 53 + 2, 9007199254740993]
  const values: number[] = [...awkward]
  while (values.length < 20_000) values.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20))
  const channel = CHANNEL_NAMES[0]!
  db.transaction(() => values.forEach((v, i) => insert('m-1', channel, T + i, v, T + i + 50)))()
  const points = new PointReader(db).read(values.map((_, i) => ({ deviceId: 'm-1', ts: T + i })))
  expect(points).toHaveLength(values.length)
  // -0 is stored as 0 (SQLite keeps a REAL that is a whole number as an integer): one value to it.
  const differ = points.filter((p, i) => !Object.is(p.fields[channel], values[i] === 0 ? 0 : values[i]))
  expect(differ).toEqual([])
})

it('a point is every channel of its device time, from whichever message, with the earliest receive time; times not asked for are left out', () => {
  insert('m-1', 'current_a', T, 5.2, T + 900)
  insert('m-1', 'voltage_v', T, 230, T + 400)
  insert('m-1', 'current_a', T + 1000, 5.3, T + 1400) // stored, not queued in this batch
  insert('m-1', 'current_a', T + 2000, 5.4, T + 2400)
  insert('m-2', 'current_a', T, 1, T + 10)
  const points = new PointReader(db).read([
    { deviceId: 'm-1', ts: T + 2000 },
    { deviceId: 'm-1', ts: T },
    { deviceId: 'm-1', ts: T }, // queued twice (two messages): one point
  ])
  expect(points).toEqual([
    { deviceId: 'm-1', ts: T, fields: { current_a: 5.2, voltage_v: 230 }, receivedAt: T + 400 },
    { deviceId: 'm-1', ts: T + 2000, fields: { current_a: 5.4 }, receivedAt: T + 2400 },
  ])
})
