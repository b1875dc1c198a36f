/**
 * The generic outbox (gateway/outbox/): appended in the ingest transaction for every sink that
 * takes points, drained per sink with the backoff, failures counted in the rows, undeliverable
 * rows parked and kept.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { InfluxOutbox } from '../../gateway/sinks/influx/influx-outbox.js'
import { NEVER, Outbox, type OutboxRow } from '../../gateway/outbox/outbox.js'
import { SinkDrainer } from '../../gateway/outbox/sink-drainer.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'

let dir: string
let db: Db
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-outbox-'))
  db = openDatabase(dir, 'normal')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = Date.UTC(2026, 11, 1, 8, 0, 0)
const entry = (deviceId: string, ts: number, channels: number) => ({
  receivedAt: ts + 500,
  samples: [{ deviceId, readings: (['current_a', 'voltage_v', 'temp_suction_c'] as const).slice(0, channels).map((channel, i) => ({ channel, ts, value: i + 1 })) }],
})
const rowsOf = (sink: string) => db.prepare('SELECT id, key, at, n, upto FROM outbox WHERE sink = ? ORDER BY id').all(sink)

it('each configured sink gets its own rows for the points the commit stored, and its own backlog', async () => {
  const log = new IngestLog(db, { outboxSinks: ['influx', 'webhook'] })
  const pending = [log.append(entry('m-1', T, 2)), log.append(entry('m-2', T, 1)), log.append(entry('m-1', T, 2))]
  log.flush()
  expect((await Promise.all(pending)).map((o) => o.stored)).toEqual([2, 1, 0])
  const expected = [
    { id: 1, key: 'm-1', at: T, n: 2, upto: 2 },
    { id: 2, key: 'm-2', at: T, n: 1, upto: 3 },
  ]
  expect(rowsOf('influx')).toEqual(expected)
  expect(rowsOf('webhook')).toEqual(expected)
  const outbox = new Outbox(db)
  outbox.ackUpTo('influx', 2)
  expect(outbox.backlog('influx')).toEqual({ count: 0, oldestQueuedAt: undefined })
  expect(outbox.backlog('webhook')).toEqual({ count: 3, oldestQueuedAt: T + 500 })
})

it('rows are part of the ingest transaction: a commit that fails leaves neither readings nor outbox rows', async () => {
  db.exec("CREATE TRIGGER no_room BEFORE INSERT ON quarantine BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
  const log = new IngestLog(db, { outboxSinks: ['influx'] })
  const failing = log.append({ ...entry('m-1', T, 2), quarantine: { deviceId: 'm-1', topic: 'v1/devices/me/telemetry', code: 'invalid_value', reason: 'r', raw: Buffer.from('x') } })
  log.flush()
  await expect(failing).rejects.toThrow(/disk is full/)
  expect(db.prepare('SELECT (SELECT count(*) FROM readings) AS r, (SELECT count(*) FROM outbox) AS o').get()).toEqual({ r: 0, o: 0 })
})

it('a sink that fails: attempts and the next try are kept in the row with the backoff; once due it is delivered and acked', async () => {
  const outbox = new Outbox(db)
  outbox.append('webhook', { key: 'job-1', at: T, payload: '{"alert":"leak"}', queuedAt: T })
  const clock = new ManualClock(T)
  const delivered: OutboxRow[][] = []
  let failures = 2
  const drainer = new SinkDrainer({
    outbox,
    clock,
    log: () => {},
    random: () => 0.5,
    backoff: { baseMs: 100, capMs: 1000 },
    sink: {
      name: 'webhook',
      deliver: async (rows) => {
        if (failures-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:9')
        delivered.push([...rows])
      },
    },
  })
  expect(await drainer.once()).toBe('failed')
  expect(db.prepare('SELECT attempts, next_at, last_error FROM outbox').get()).toEqual({ attempts: 1, next_at: T + 75, last_error: 'connect ECONNREFUSED 127.0.0.1:9' })
  expect(await drainer.once()).toBe('idle') // not due yet
  clock.advance(75)
  expect(await drainer.once()).toBe('failed')
  expect(db.prepare('SELECT attempts, next_at FROM outbox').get()).toEqual({ attempts: 2, next_at: T + 75 + 150 })
  clock.advance(150)
  expect(await drainer.once()).toBe('delivered')
  expect(delivered).toEqual([[{ id: 1, key: 'job-1', at: T, payload: '{"alert":"leak"}', n: 1, attempts: 2 }]])
  expect(outbox.rows('webhook')).toBe(0)
})

it('a row that keeps failing is parked after maxAttempts: kept with its error, and the rows behind it go on', async () => {
  const outbox = new Outbox(db)
  outbox.append('webhook', { key: 'bad', at: T, payload: '{}', queuedAt: T })
  outbox.append('webhook', { key: 'good', at: T, payload: '{}', queuedAt: T })
  const clock = new ManualClock(T)
  const drainer = new SinkDrainer({
    outbox,
    clock,
    log: () => {},
    batch: 1,
    maxAttempts: 2,
    random: () => 0,
    backoff: { baseMs: 100, capMs: 100 },
    sink: {
      name: 'webhook',
      deliver: async (rows) => {
        if (rows[0]!.key === 'bad') throw new Error('HTTP 410 Gone')
      },
    },
  })
  expect(await drainer.once()).toBe('failed')
  clock.advance(50)
  expect(await drainer.once()).toBe('failed')
  expect(db.prepare('SELECT key, attempts, next_at, last_error FROM outbox WHERE key = ?').get('bad')).toEqual({ key: 'bad', attempts: 2, next_at: NEVER, last_error: 'HTTP 410 Gone' })
  expect(await drainer.once()).toBe('delivered')
  outbox.ackUpTo('webhook', 2)
  expect(db.prepare('SELECT key FROM outbox').all()).toEqual([{ key: 'bad' }])
})

it('an InfluxDB verdict row that does not parse is parked with an error naming the table and row; the next verdict still goes', () => {
  const influx = new InfluxOutbox(db)
  influx.addVerdict('{"jobId":"job-1","status":"maybe"}', T)
  influx.addVerdict(JSON.stringify({ jobId: 'job-2', installerId: null, rulePack: { id: 'p', version: '1' }, status: 'pass', steps: [{ id: 's', checks: [{ id: 'c', status: 'pass', measured: null }] }], at: T }), T)
  const read = influx.verdicts(10)
  expect(read.map((v) => [v.id, v.verdict.jobId])).toEqual([[2, 'job-2']])
  // A non-finite measured was written as null: read as absent.
  expect(read[0]!.verdict.steps[0]!.checks[0]).toEqual({ id: 'c', status: 'pass' })
  const parked = influx.takeParked()
  expect(parked).toHaveLength(1)
  expect(parked[0]).toMatch(/^stored row outbox sink influx-verdicts id 1 is not readable: .*status/)
  influx.verdictsForwarded(2)
  expect(influx.verdictsPending()).toBe(1)
  expect(influx.verdicts(10)).toEqual([])
})
