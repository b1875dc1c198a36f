/**
 * The checkpoint thread: copies committed frames of the write-ahead log back into the database
 * file on a connection of its own. Left to SQLite, the connection whose COMMIT takes the log
 * past 1000 pages runs that checkpoint inside the COMMIT, and that was usually the ingest's, on
 * the event loop that sends PUBACKs: copying about 4 MB and two fsyncs, during which no device
 * is read or acknowledged. Measured on the 2-core machine (`npx tsx
 * test/bench/ingest-log-micro.ts`): 4.0-4.4 µs per reading with the checkpoints in the commit,
 * 2.9-3.2 without.
 *
 * PASSIVE: it never waits for nor blocks the writer or the readers; it copies what no reader
 * still needs and the next writer restarts the log once everything is copied
 * (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). Durability is SQLite's own: with
 * synchronous=NORMAL a checkpoint syncs the log before and the database after copying
 * (https://www.sqlite.org/pragma.html#pragma_synchronous). It looks every intervalMs and only
 * checkpoints when another connection committed since (PRAGMA data_version), so an idle
 * gateway does no I/O after the first look.
 */
import { hostedThread } from '../../threads/hosted-thread.js'
import { openDatabase } from '../database.js'
import type { CheckpointProgress, CheckpointThreadData, FromCheckpointThread, ToCheckpointThread } from './checkpoint-messages.js'

const { port, data, send } = hostedThread<CheckpointThreadData, FromCheckpointThread>('checkpoint-thread.ts (started by gateway/store/checkpoint/checkpoint-host.ts)')

const db = openDatabase(data.dataDir, 'normal')
const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
const progress: CheckpointProgress = { checkpoints: 0, failures: 0, lastError: null, walFrames: 0, checkpointedFrames: 0 }
/** None at the start: the first look copies back whatever the log holds (after a crash, all of it). */
let seenVersion: number | undefined

function checkpoint(): void {
  const version = dataVersion.get()
  if (version === seenVersion) return
  seenVersion = version
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[]
    progress.checkpoints++
    progress.walFrames = row?.log ?? 0
    progress.checkpointedFrames = row?.checkpointed ?? 0
    progress.lastError = null
    // A reader still needed some frames: the rest is copied at the next look, commit or not.
    if (progress.checkpointedFrames < progress.walFrames) seenVersion = undefined
  } catch (err) {
    // The ingest's own connection still checkpoints past its safety-net size (checkpoint-host.ts).
    const message = err instanceof Error ? err.message : String(err)
    if (message !== progress.lastError) send({ type: 'log', level: 'warn', msg: `checkpoint failed: ${message}` })
    progress.failures++
    progress.lastError = message
    seenVersion = undefined // try again at the next look
  }
  send({ type: 'progress', progress })
}

const timer = setInterval(checkpoint, data.intervalMs)

port.on('message', (m: ToCheckpointThread) => {
  if (m.type !== 'stop') return
  clearInterval(timer)
  db.close()
  send({ type: 'stopped' })
  port.close()
})
