/** The ReadingStore contract against the embedded SQLite log. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'
import { expect, it } from 'vitest'
import { ingestReadings, runReadingStoreContract } from './reading-store-contract.js'

runReadingStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-store-'))
  const db = openDatabase(dir, 'normal')
  const log = new IngestLog(db)
  return {
    store: new SqliteReadingStore(db),
    write: (readings) => ingestReadings(log, readings),
    close: async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

// SQLite only: InfluxDB holds the first value of a point (docs/influx-schema.md).
it('a point re-sent with other values: the first value stays the point, the others are kept beside it, in arrival order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-store-'))
  const db = openDatabase(dir, 'normal')
  const log = new IngestLog(db)
  const T = Date.UTC(2026, 10, 27, 8, 0, 0)
  const one = (deviceId: string, ts: number, value: number, receivedAt: number) => ({ receivedAt, samples: [{ deviceId, readings: [{ channel: 'current_a' as const, ts, value }] }] })
  const pending = [
    log.append(one('m-1', T, 5.2, T + 10)),
    log.append(one('m-1', T + 1000, 5.3, T + 1010)),
    log.append(one('m-2', T, 7.0, T + 20)),
    log.append(one('m-1', T, 9.9, T + 30)),
    log.append(one('m-1', T, 5.2, T + 40)), // the first value again: a duplicate
    log.append(one('m-1', T, 9.9, T + 50)), // the conflicting value again: a duplicate too
    log.append(one('m-1', T, 1.1, T + 60)),
  ]
  log.flush()
  const outcomes = await Promise.all(pending)
  expect(outcomes.map((o) => [o.stored, o.duplicates, o.conflicts.length])).toEqual([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 0], [0, 0, 1]])
  expect(outcomes[6]!.conflicts[0]).toEqual({ deviceId: 'm-1', channel: 'current_a', ts: T, value: 1.1, first: { value: 5.2, receivedAt: T + 10 }, conflict: { others: [{ value: 9.9, receivedAt: T + 30 }, { value: 1.1, receivedAt: T + 60 }] } })
  const store = new SqliteReadingStore(db)
  expect(await store.query({ deviceIds: ['m-1', 'm-2'], channel: 'current_a', from: T, to: T + 1000 })).toEqual([
    { deviceId: 'm-1', channel: 'current_a', ts: T, value: 5.2, receivedAt: T + 10, conflict: { others: [{ value: 9.9, receivedAt: T + 30 }, { value: 1.1, receivedAt: T + 60 }] } },
    { deviceId: 'm-2', channel: 'current_a', ts: T, value: 7.0, receivedAt: T + 20 },
    { deviceId: 'm-1', channel: 'current_a', ts: T + 1000, value: 5.3, receivedAt: T + 1010 },
  ])
  expect(await store.query({ deviceIds: ['m-1'], channel: 'current_a', from: T + 1, to: T + 1000 })).toEqual([{ deviceId: 'm-1', channel: 'current_a', ts: T + 1000, value: 5.3, receivedAt: T + 1010 }])
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

it('a point re-sent with many values: all are kept, the first 20 listed, the rest flagged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-store-'))
  const db = openDatabase(dir, 'normal')
  const log = new IngestLog(db)
  const T = Date.UTC(2026, 10, 27, 8, 0, 0)
  const pending = []
  for (let i = 0; i <= 25; i++) pending.push(log.append({ receivedAt: T + i, samples: [{ deviceId: 'm-1', readings: [{ channel: 'current_a', ts: T, value: 1 + i / 10 }] }] }))
  log.flush()
  const outcomes = await Promise.all(pending)
  expect(outcomes.filter((o) => o.conflicts.length === 1)).toHaveLength(25)
  expect(outcomes[25]!.conflicts[0]!.conflict.others).toHaveLength(20)
  expect(outcomes[25]!.conflicts[0]!.conflict.truncated).toBe(true)
  expect(db.prepare('SELECT COUNT(*) AS n FROM readings_conflicts').get()).toEqual({ n: 25 })
  const [r] = await new SqliteReadingStore(db).query({ deviceIds: ['m-1'], channel: 'current_a', from: T, to: T })
  expect(r!.value).toBe(1)
  expect(r!.conflict!.others.map((o) => o.receivedAt)).toEqual(Array.from({ length: 20 }, (_, i) => T + 1 + i))
  expect(r!.conflict!.truncated).toBe(true)
  db.close()
  rmSync(dir, { recursive: true, force: true })
})
