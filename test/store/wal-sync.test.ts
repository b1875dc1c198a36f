/**
 * GW_SYNC=full with the WAL flushed off the event loop (gateway/store/wal-sync.ts): a group
 * commit's entries resolve (the ingest acknowledges them) only once an fdatasync that started
 * after their COMMIT has finished; a failed flush acknowledges nothing and is told to the
 * commit observer; the connection keeps synchronous=FULL for every other write on it.
 * The flush is a function the test completes by hand: the real one is fdatasync(2).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import type { CommitObserver } from '../../gateway/store/group-commit.js'
import { IngestLog, type IngestEntry } from '../../gateway/store/ingest-log.js'
import { WalSync } from '../../gateway/store/wal-sync.js'

let dir: string
let db: Db
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-walsync-'))
  db = openDatabase(dir, 'full')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = Date.UTC(2026, 11, 1, 8, 0, 0)
const entry = (ts: number, value: number): IngestEntry => ({
  receivedAt: T,
  samples: [{ deviceId: 'm-1', readings: [{ channel: 'current_a', ts, value }] }],
})

/** A flush the test finishes: each call waits in `calls` until done() is called on it. */
function manualFlush() {
  const calls: { fd: number; done: (err: NodeJS.ErrnoException | null) => void }[] = []
  return { calls, flush: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void calls.push({ fd, done }) }
}

const settled = async (p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> => {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending'
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  )
  // Several turns: the group commit runs on setImmediate, the promise chain after it.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
  return state
}

const rows = () => (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n

it('resolves an entry only after the WAL flush that follows its commit', async () => {
  const f = manualFlush()
  const sync = new WalSync(`${db.name}-wal`, f.flush)
  const log = new IngestLog(db, { sync })
  const p = log.append(entry(T, 1))
  expect(await settled(p)).toBe('pending')
  // Committed (visible) but not acknowledged: the flush has not finished.
  expect(rows()).toBe(1)
  expect(f.calls).toHaveLength(1)
  f.calls[0]!.done(null)
  expect(await settled(p)).toBe('resolved')
  expect((await p).stored).toBe(1)
  sync.close()
})

it('a commit made while a flush runs waits for the next flush, not the one under way', async () => {
  const f = manualFlush()
  const sync = new WalSync(`${db.name}-wal`, f.flush)
  const log = new IngestLog(db, { sync })
  const first = log.append(entry(T, 1))
  expect(await settled(first)).toBe('pending')
  const second = log.append(entry(T + 1, 2))
  const third = log.append(entry(T + 2, 3))
  expect(await settled(second)).toBe('pending')
  expect(rows()).toBe(3)
  // Only one flush at a time: the second starts when the first is done.
  expect(f.calls).toHaveLength(1)
  f.calls[0]!.done(null)
  expect(await settled(first)).toBe('resolved')
  expect(await settled(second)).toBe('pending')
  expect(f.calls).toHaveLength(2)
  f.calls[1]!.done(null)
  expect(await settled(second)).toBe('resolved')
  expect(await settled(third)).toBe('resolved')
  sync.close()
})

it('a failed flush acknowledges nothing of its group and counts as a failed commit', async () => {
  const f = manualFlush()
  const failures: unknown[] = []
  const observer: CommitObserver = { committed: () => undefined, failed: (err) => void failures.push(err) }
  const sync = new WalSync(`${db.name}-wal`, f.flush)
  const log = new IngestLog(db, { sync, commitObserver: observer })
  const p = log.append(entry(T, 1))
  p.catch(() => undefined)
  expect(await settled(p)).toBe('pending')
  const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
  f.calls[0]!.done(eio)
  expect(await settled(p)).toBe('rejected')
  await expect(p).rejects.toThrow('EIO')
  expect(failures).toEqual([eio])
  sync.close()
})

it('keeps synchronous=FULL on the connection for every other write', async () => {
  const sync = new WalSync(`${db.name}-wal`)
  const log = new IngestLog(db, { sync })
  expect(db.pragma('synchronous', { simple: true })).toBe(2)
  expect((await log.append(entry(T, 1))).stored).toBe(1)
  expect(db.pragma('synchronous', { simple: true })).toBe(2)
  // A commit that fails puts it back too.
  db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON reading_points WHEN NEW.value = 66.6 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
  await expect(log.append(entry(T + 1, 66.6))).rejects.toThrow('refused by the test')
  expect(db.pragma('synchronous', { simple: true })).toBe(2)
  sync.close()
})

it('flushes with the real fdatasync, and on shutdown without the thread pool', async () => {
  const sync = new WalSync(`${db.name}-wal`)
  const log = new IngestLog(db, { sync })
  expect((await log.append(entry(T, 1))).stored).toBe(1)
  const p = log.append(entry(T + 1, 2))
  // flush() on shutdown commits and syncs on this thread: the entry resolves without another flush.
  log.flush()
  expect((await p).stored).toBe(1)
  expect(rows()).toBe(2)
  sync.close()
})
