/**
 * The checkpoint thread (gateway/store/checkpoint/): with it running, the gateway's own
 * connection no longer copies the write-ahead log back inside its COMMITs (its
 * wal_autocheckpoint is the safety net), the thread does, so that the committed readings end up
 * in the database file itself; an idle database gets none after the first look; a thread that dies hands
 * checkpointing back to the gateway's connection until its replacement runs.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { afterEach, expect, it } from 'vitest'
import { CheckpointHost, SAFETY_NET_PAGES, SQLITE_DEFAULT_PAGES } from '../../../gateway/store/checkpoint/checkpoint-host.js'
import { openDatabase, type Db } from '../../../gateway/store/database.js'
import type { Log } from '../../../gateway/log.js'
import { waitFor } from '../../helpers/gateway-harness.js'

let dir: string | undefined
let db: Db | undefined
let host: CheckpointHost | undefined
const logged: string[] = []
const log: Log = (level, msg) => void logged.push(`${level}: ${msg}`)

afterEach(async () => {
  await host?.stop()
  db?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
  host = db = dir = undefined
  logged.length = 0
})

function start(): { db: Db; host: CheckpointHost } {
  dir = mkdtempSync(join(tmpdir(), 'gw-checkpoint-'))
  db = openDatabase(dir, 'full')
  host = new CheckpointHost({ db, dataDir: dir, log, intervalMs: 10, restart: { baseMs: 20, capMs: 20 } })
  host.start()
  return { db, host }
}

/** `count` readings of one device, `perCommit` to a transaction (as group commits write them). */
function commitReadings(db: Db, from: number, count: number, perCommit: number): void {
  const insert = db.prepare('INSERT INTO readings (device_id, channel, ts, value, received_at) VALUES (?, ?, ?, ?, ?)')
  const commit = db.transaction((first: number, n: number) => {
    for (let i = first; i < first + n; i++) insert.run('meter-1', 'pressure_low_kpag', i, 800 + (i % 50), i)
  })
  for (let i = from; i < from + count; i += perCommit) commit(i, Math.min(perCommit, from + count - i))
}

const autoCheckpoint = (db: Db): number => db.pragma('wal_autocheckpoint', { simple: true }) as number
const worker = (h: CheckpointHost): Worker | undefined => (h as unknown as { host: { worker: Worker | undefined } }).host.worker

it('copies committed frames into the database file while the gateway connection only keeps a safety net', async () => {
  const { db, host } = start()
  await waitFor(() => host.stats().running, 'the checkpoint thread to start')
  expect(autoCheckpoint(db)).toBe(SAFETY_NET_PAGES)
  // About 1,400 pages of log (measured with stream keys, migration 11): more than SQLite's default threshold, less than the safety net.
  commitReadings(db, 0, 200_000, 2_000)
  // Ten looks after the last commit, then the thread's last checkpoint must have copied the whole log.
  await new Promise((r) => setTimeout(r, 100))
  await waitFor(() => host.stats().checkpoints > 0 && host.stats().checkpointedFrames === host.stats().walFrames, 'a checkpoint that copied the whole log')
  await host.stop() // no checkpoint runs while the file is copied
  const last = host.stats()
  expect(last).toMatchObject({ failures: 0, lastError: null, running: false })
  const copy = join(dir!, 'alone.db')
  copyFileSync(join(dir!, 'gateway.db'), copy)
  // The log as it is now is the one the thread's last checkpoint copied, all of it.
  const [now] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[]
  expect(last.walFrames).toBeGreaterThan(0)
  expect(last.walFrames).toBe(now!.log)
  expect(last.checkpointedFrames).toBe(now!.log)
  // The database file alone (without its -wal) has every reading: they were copied back and synced.
  const alone = new Database(copy, { readonly: true })
  try {
    expect(alone.prepare('SELECT count(*) AS n, sum(ts) AS sum FROM readings').get()).toEqual({ n: 200_000, sum: (199_999 * 200_000) / 2 })
  } finally {
    alone.close()
  }
})

it('checkpoints at the start and after commits, and not while nothing is committed', async () => {
  const { db, host } = start()
  const settled = () => host.stats().checkpoints > 0 && host.stats().checkpointedFrames === host.stats().walFrames
  // The first look copies back whatever an earlier run left in the log (the migrations here).
  await waitFor(settled, 'the first look')
  const afterStart = host.stats().checkpoints
  // 20 more looks (10 ms each) with nothing committed.
  await new Promise((r) => setTimeout(r, 200))
  expect(host.stats().checkpoints).toBe(afterStart)
  commitReadings(db, 0, 10, 10)
  // The commit's first write restarts the emptied log, which a look may see as a change and
  // checkpoint (0 frames) before the commit ends: wait for the one that copied the commit.
  await waitFor(() => host.stats().checkpoints > afterStart && host.stats().walFrames > 0 && settled(), 'the checkpoint of one commit')
  const afterCommit = host.stats().checkpoints
  await new Promise((r) => setTimeout(r, 200))
  expect(host.stats().checkpoints).toBe(afterCommit)
})

it('what a reader still needed is copied once it is done, without waiting for another commit', async () => {
  const { db, host } = start()
  await waitFor(() => host.stats().checkpoints === 1, 'the first look')
  commitReadings(db, 0, 1_000, 100)
  // A reader (as the forwarder or the API) holding a snapshot from before the next commits.
  const reader = new Database(join(dir!, 'gateway.db'))
  reader.exec('BEGIN')
  reader.prepare('SELECT count(*) FROM readings').get()
  commitReadings(db, 1_000, 20_000, 1_000)
  await waitFor(() => host.stats().checkpoints >= 2 && host.stats().checkpointedFrames < host.stats().walFrames, 'a checkpoint held back by the reader')
  reader.exec('COMMIT')
  reader.close()
  // Nothing more is committed: the next looks copy the rest.
  await waitFor(() => host.stats().walFrames > 0 && host.stats().checkpointedFrames === host.stats().walFrames, 'the rest copied')
})

it('a thread that dies hands checkpoints back to the gateway connection until its replacement runs', async () => {
  const { db, host } = start()
  await waitFor(() => host.stats().running, 'the checkpoint thread to start')
  const first = worker(host)!
  await first.terminate()
  await waitFor(() => !host.stats().running || worker(host) !== first, 'the exit to be seen')
  expect(logged.some((l) => l.startsWith('error: checkpoint thread exited'))).toBe(true)
  expect(host.stats().failures).toBe(1)
  // The restart (20 ms later) raises the threshold again.
  await waitFor(() => host.stats().running && worker(host) !== first, 'a new checkpoint thread')
  expect(autoCheckpoint(db)).toBe(SAFETY_NET_PAGES)
  const before = host.stats().checkpoints
  commitReadings(db, 0, 10, 10)
  await waitFor(() => host.stats().checkpoints > before && host.stats().walFrames > 0 && host.stats().checkpointedFrames === host.stats().walFrames, 'the new thread to checkpoint the commit')
  await host.stop()
  expect(host.stats().running).toBe(false)
  expect(autoCheckpoint(db)).toBe(SQLITE_DEFAULT_PAGES)
})

it('between a death and the restart the gateway connection checkpoints at SQLite’s default', async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-checkpoint-'))
  db = openDatabase(dir, 'full')
  // A restart far away: the window between the death and the new thread is the whole test.
  host = new CheckpointHost({ db, dataDir: dir, log, intervalMs: 10, restart: { baseMs: 60_000, capMs: 60_000 } })
  host.start()
  const h = host
  await waitFor(() => h.stats().running, 'the checkpoint thread to start')
  await worker(h)!.terminate()
  await waitFor(() => !h.stats().running, 'the exit to be seen')
  expect(autoCheckpoint(db)).toBe(SQLITE_DEFAULT_PAGES)
  // Past 1000 pages the gateway's own COMMIT copies the log back, as SQLite does by default.
  commitReadings(db, 0, 200_000, 2_000)
  const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[]
  expect(state!.log).toBeLessThan(SQLITE_DEFAULT_PAGES + 200)
})
