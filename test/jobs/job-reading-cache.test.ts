/** Incremental evaluation: a job's readings are read from storage once, then extended in memory. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Reading } from '../../contract/reading.js'
import { JobReadingCache } from '../../gateway/jobs/job-reading-cache.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import type { ReadingQuery, ReadingStore } from '../../gateway/store/reading-store.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'

let dir: string
let db: Db
let queries: ReadingQuery[]
let store: ReadingStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-cache-'))
  db = openDatabase(dir, 'normal')
  const sqlite = new SqliteReadingStore(db)
  queries = []
  // Counts the reads that reach storage; the store itself is the real one.
  store = { query: (q) => (queries.push(q), sqlite.query(q)) }
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const reading = (deviceId: string, ts: number, value: number): Reading => ({ deviceId, channel: 'current_a', ts, value, receivedAt: ts })
const attachments = [{ deviceId: 'clamp', attachedAt: 1000, detachedAt: null }]

describe('JobReadingCache', () => {
  it('reads a job channel from storage once; new readings are added in memory', async () => {
    await new IngestLog(db).append({ receivedAt: 2000, samples: [{ deviceId: 'clamp', readings: [{ channel: 'current_a', ts: 2000, value: 5 }] }] })
    const cache = new JobReadingCache(store)
    await cache.prepare('job', attachments, new Map([['current_a', 0]]), -Infinity)
    expect((await cache.readings('job', attachments, 'current_a', 0, 10_000)).map((r) => r.value)).toEqual([5])
    expect(queries).toHaveLength(1)

    cache.add([reading('clamp', 3000, 6), reading('clamp', 2500, 5.5), reading('clamp', 3000, 6), reading('clamp', 3000, 9), reading('other', 3000, 1), reading('clamp', 500, 1)])
    const after = await cache.readings('job', attachments, 'current_a', 0, 10_000)
    // In time order; the same reading twice is kept once, a second value at one device time is kept (a conflict,
    // the ingest's to flag); other devices and readings before the attachment do not count.
    expect(after.map((r) => [r.ts, r.value])).toEqual([[2000, 5], [2500, 5.5], [3000, 6], [3000, 9]])
    expect((await cache.readings('job', attachments, 'current_a', 2500, 2999)).map((r) => r.ts)).toEqual([2500])
    expect(queries).toHaveLength(1)
  })

  it('reloads a job after invalidate (attachments changed)', async () => {
    const cache = new JobReadingCache(store)
    const needs = new Map([['current_a' as const, 0]])
    await cache.prepare('job', attachments, needs, -Infinity)
    cache.invalidate('job')
    cache.add([reading('clamp', 3000, 6)]) // not cached any more: ignored, storage has the truth
    await cache.prepare('job', attachments, needs, -Infinity)
    expect(queries).toHaveLength(2)
  })
})
