/**
 * The ingest log and the forwarder thread write to one SQLite file through two connections.
 * In WAL mode a transaction that began by reading cannot write once another connection has
 * committed after that read ("database is locked", without waiting): the ingest would lose the
 * commit and the devices their acknowledgement. Here another thread holds a write transaction
 * (as the forwarder does while it deletes forwarded rows) when the ingest commits, and commits
 * it 100 ms later: the ingest must wait for it and then succeed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterEach, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { configureInfluxOutbox, INFLUX_SINK } from '../../gateway/sinks/influx/influx-outbox.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'

// Plain JS (eval): opens the same file, deletes the outbox head in a write transaction, tells
// the test it holds the lock, and commits 100 ms later.
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.betterSqlite3)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 5000')
db.exec('BEGIN IMMEDIATE')
db.prepare("DELETE FROM outbox WHERE sink = 'influx' AND id <= 1").run()
parentPort.postMessage('holding')
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
db.exec('COMMIT')
db.close()
parentPort.postMessage('committed')
`

let dir: string | undefined
let db: Db | undefined
afterEach(() => {
  db?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const sample = (ts: number) => ({ deviceId: 'clamp-1', readings: [{ channel: 'current_a' as const, ts, value: 5 }] })

it('an ingest commit waits for the other connection’s write transaction, then succeeds', async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-two-conn-'))
  db = openDatabase(dir, 'normal')
  configureInfluxOutbox(db, true)
  const log = new IngestLog(db, { outboxSinks: [INFLUX_SINK] })
  await log.append({ receivedAt: 1_000, samples: [sample(1_000)] })

  const holder = new Worker(HOLDER, { eval: true, workerData: { file: join(dir, 'gateway.db'), betterSqlite3: createRequire(import.meta.url).resolve('better-sqlite3') } })
  const messages: string[] = []
  const committed = new Promise<void>((resolve, reject) => {
    holder.on('message', (m: string) => {
      messages.push(m)
      if (m === 'committed') resolve()
    })
    holder.once('error', reject)
  })
  await new Promise<void>((resolve) => holder.once('message', () => resolve()))
  expect(messages).toEqual(['holding'])

  // Reads the outbox tail, then inserts: while the other transaction is open.
  const outcome = log.append({ receivedAt: 2_000, samples: [sample(2_000)] })
  log.flush()
  await expect(outcome).resolves.toEqual({ stored: 1, duplicates: 0, conflicts: [] })
  await committed
  const rows = db.prepare('SELECT ts FROM readings ORDER BY ts').all()
  expect(rows).toEqual([{ ts: 1_000 }, { ts: 2_000 }])
  // The ingest read the outbox after the holder's commit: the first row gone, its count restarted.
  expect(db.prepare('SELECT at AS ts, n, upto FROM outbox').all()).toEqual([{ ts: 2_000, n: 1, upto: 1 }])
  await holder.terminate()
})
