/**
 * Point rows (gateway/outbox/outbox-appender.ts, point-times.ts): one row per device and
 * commit, listing the device times it stored; read back by the InfluxDB outbox as points, in
 * batches of whole rows; a row whose list is damaged is parked with the reason, and the
 * batch goes on past it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { OutboxAppender } from '../../gateway/outbox/outbox-appender.js'
import { NEVER, Outbox } from '../../gateway/outbox/outbox.js'
import { INFLUX_SINK, InfluxOutbox } from '../../gateway/sinks/influx/influx-outbox.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'

let dir: string
let db: Db
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-point-rows-'))
  db = openDatabase(dir, 'normal')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = Date.UTC(2026, 11, 1, 8, 0, 0)
const rows = () => db.prepare("SELECT id, key, at, n, upto, payload, queued_at FROM outbox WHERE sink = 'influx' ORDER BY id").all()

it('a commit of 600 one-reading messages of one meter and one of another: 512 times per row at most, devices in the order they came', async () => {
  const log = new IngestLog(db, { outboxSinks: [INFLUX_SINK] })
  const pending = []
  for (let i = 0; i < 600; i++) {
    pending.push(log.append({ receivedAt: T + 1000 + i, samples: [{ deviceId: 'm-1', readings: [{ channel: 'current_a', ts: T + i * 1000, value: i }] }] }))
    if (i === 3) pending.push(log.append({ receivedAt: T + 5, samples: [{ deviceId: 'm-2', readings: [{ channel: 'voltage_v', ts: T, value: 230 }] }] }))
  }
  log.flush()
  await Promise.all(pending)
  expect(rows()).toEqual([
    { id: 1, key: 'm-1', at: T, n: 512, upto: 512, payload: JSON.stringify([T, ...new Array(511).fill(1000)]), queued_at: T + 1000 },
    { id: 2, key: 'm-1', at: T + 512_000, n: 88, upto: 600, payload: JSON.stringify([T + 512_000, ...new Array(87).fill(1000)]), queued_at: T + 1000 },
    // One point: no list, its time is the row's.
    { id: 3, key: 'm-2', at: T, n: 1, upto: 601, payload: null, queued_at: T + 5 },
  ])
  const influx = new InfluxOutbox(db)
  // Whole rows until the limit is reached: 512 points for a limit of 100, then the rest.
  const first = influx.batch(100)!
  expect({ lastId: first.lastId, readings: first.readings, points: first.points.length, last: first.points[511] }).toEqual({ lastId: 1, readings: 512, points: 512, last: { deviceId: 'm-1', ts: T + 511_000 } })
  influx.forwarded(first.lastId)
  const second = influx.batch(1000)!
  expect(second.points.map((p) => `${p.deviceId}@${(p.ts - T) / 1000}`)).toEqual([...Array.from({ length: 88 }, (_, i) => `m-1@${512 + i}`), 'm-2@0'])
  expect(second.readings).toBe(89)
})

it('marks out of order and repeated (the re-route path marks channel by channel): each time once, ascending, readings counted', () => {
  const outbox = new Outbox(db)
  const appender = new OutboxAppender(outbox, [INFLUX_SINK])
  db.transaction(() => {
    appender.begin()
    for (const ts of [T + 2000, T, T + 1000]) appender.mark('m-1', ts, T + 9000) // current_a
    for (const ts of [T, T + 2000]) appender.mark('m-1', ts, T + 8000) // voltage_v
    appender.end()
  })()
  expect(rows()).toEqual([{ id: 1, key: 'm-1', at: T, n: 5, upto: 5, payload: `[${T},1000,1000]`, queued_at: T + 8000 }])
})

it.each([
  ['not JSON', '[1,2', /payload is not JSON/],
  ['not a list', '{"t":1}', /not a list of 2 to 512 device times/],
  ['a step that is not positive', `[${T},0]`, /item 1 is 0, not a positive difference/],
  ['a list that does not start at the row time', `[${T + 1},1]`, /starts at .*, the row at/],
])('a row whose times are %s is parked with the reason; the rows behind it are read', (_what, payload, why) => {
  const outbox = new Outbox(db)
  outbox.insertAt(INFLUX_SINK, 1, 2, { key: 'm-1', at: T, payload, queuedAt: T, n: 2 })
  outbox.insertAt(INFLUX_SINK, 2, 4, { key: 'm-2', at: T, payload: `[${T},5]`, queuedAt: T, n: 2 })
  const influx = new InfluxOutbox(db)
  const batch = influx.batch(100)!
  expect(batch).toEqual({ lastId: 2, readings: 2, points: [{ deviceId: 'm-2', ts: T }, { deviceId: 'm-2', ts: T + 5 }] })
  const parked = influx.takeParked()
  expect(parked).toHaveLength(1)
  expect(parked[0]).toMatch(/^stored row outbox sink influx id 1 is not readable: /)
  expect(parked[0]).toMatch(why)
  influx.forwarded(batch.lastId)
  // Kept, with why, skipped from now on; what it stands for still counts as not forwarded.
  expect(db.prepare('SELECT id, next_at, last_error FROM outbox').all()).toEqual([{ id: 1, next_at: NEVER, last_error: parked[0] }])
  expect(influx.backlog().readings).toBe(2)
  expect(influx.batch(100)).toBeUndefined()
})
