/**
 * The ingest's multi-row insert (gateway/store/reading-inserts.ts) decides per reading exactly
 * as one statement per reading did: a run of new readings is stored, a key already stored in
 * the middle of a sample is a duplicate (same value) or a conflict (another value) and the
 * readings after it are still stored; samples longer than one statement are split; only new
 * readings are queued for the sinks. Expectations are written out, not computed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CHANNEL_NAMES, type ChannelName } from '../../contract/channels.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog, type IngestEntry } from '../../gateway/store/ingest-log.js'

let dir: string
let db: Db
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-multi-'))
  db = openDatabase(dir, 'normal')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = Date.UTC(2026, 11, 1, 9, 0, 0)
const CH = CHANNEL_NAMES.slice(0, 8)
const entry = (readings: { channel: ChannelName; ts: number; value: number }[], receivedAt = T + 500): IngestEntry => ({
  receivedAt,
  samples: [{ deviceId: 'm-1', readings }],
})

async function commit(log: IngestLog, e: IngestEntry) {
  const p = log.append(e)
  log.flush()
  return p
}

const stored = () => db.prepare('SELECT channel, ts, value FROM readings ORDER BY channel, ts').all() as { channel: string; ts: number; value: number }[]
const queued = () => db.prepare("SELECT key, at, n FROM outbox WHERE sink = 'influx' ORDER BY id").all()

it('a stored key in the middle of a sample: duplicate or conflict for it, the rest stored', async () => {
  const log = new IngestLog(db, { outboxSinks: ['influx'] })
  await commit(log, entry([{ channel: CH[3]!, ts: T, value: 3 }, { channel: CH[6]!, ts: T, value: 6 }], T + 100))
  const out = await commit(
    log,
    entry(CH.map((channel, i) => ({ channel, ts: T, value: i === 6 ? 60 : i }))),
  )
  expect(out.stored).toBe(6)
  expect(out.duplicates).toBe(1)
  expect(out.conflicts.map((c) => ({ channel: c.channel, value: c.value, first: c.first.value }))).toEqual([{ channel: CH[6], value: 60, first: 6 }])
  // Every channel once, with its first value.
  expect(stored()).toEqual(
    [...CH]
      .map((channel, i) => ({ channel, ts: T, value: i }))
      .sort((a, b) => (a.channel < b.channel ? -1 : 1)),
  )
  expect(db.prepare('SELECT channel, value FROM readings_conflicts').all()).toEqual([{ channel: CH[6], value: 60 }])
  // The first commit queued its 2 readings, the second its 6 new ones (one row per device and commit).
  expect(queued()).toEqual([
    { key: 'm-1', at: T, n: 2 },
    { key: 'm-1', at: T, n: 6 },
  ])
})

it('a sample longer than one statement is split; its repeat is all duplicates and queues nothing', async () => {
  const log = new IngestLog(db, { outboxSinks: ['influx'] })
  // 40 readings: one channel at 40 device times (more than READINGS_PER_INSERT).
  const readings = Array.from({ length: 40 }, (_, i) => ({ channel: 'current_a' as ChannelName, ts: T + i, value: i / 2 }))
  expect(await commit(log, entry(readings))).toEqual({ stored: 40, duplicates: 0, conflicts: [] })
  expect(await commit(log, entry(readings))).toEqual({ stored: 0, duplicates: 40, conflicts: [] })
  expect(stored()).toHaveLength(40)
  // One outbox row for the commit's 40 points of the device: the first time, then the steps between them.
  expect(db.prepare("SELECT key, at, n, payload FROM outbox WHERE sink = 'influx'").all()).toEqual([
    { key: 'm-1', at: T, n: 40, payload: JSON.stringify([T, ...new Array(39).fill(1)]) },
  ])
})

it('the same key twice in one sample: the first stored, the second a conflict', async () => {
  const log = new IngestLog(db)
  const out = await commit(log, entry([{ channel: 'current_a', ts: T, value: 1 }, { channel: 'current_a', ts: T, value: 2 }, { channel: 'voltage_v', ts: T, value: 230 }]))
  expect(out.stored).toBe(2)
  expect(out.conflicts.map((c) => [c.channel, c.value, c.first.value])).toEqual([['current_a', 2, 1]])
  expect(stored()).toEqual([
    { channel: 'current_a', ts: T, value: 1 },
    { channel: 'voltage_v', ts: T, value: 230 },
  ])
})
