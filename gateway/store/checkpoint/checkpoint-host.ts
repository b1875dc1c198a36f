/**
 * The gateway's side of the checkpoint thread (checkpoint-thread.ts): started with the store,
 * restarted with back-off if it dies, stopped before the database closes.
 *
 * While the thread runs, the gateway's own connection checkpoints only past SAFETY_NET_PAGES
 * (wal_autocheckpoint), so a COMMIT on the event loop no longer copies the log back; if the
 * thread is gone or cannot keep up, that connection takes over as SQLite would by itself, so
 * the log stays bounded either way. While the thread is down the default threshold is back.
 */
import type { Log } from '../../log.js'
import { WorkerHost, type WorkerExit } from '../../threads/worker-host.js'
import type { Db } from '../database.js'
import type { CheckpointProgress, CheckpointThreadData, FromCheckpointThread, ToCheckpointThread } from './checkpoint-messages.js'

/** SQLite's default wal_autocheckpoint, in pages. */
export const SQLITE_DEFAULT_PAGES = 1000
/** 10× SQLite's default: about 40 MB of log with 4 KiB pages before the ingest copies it back itself. */
export const SAFETY_NET_PAGES = 10 * SQLITE_DEFAULT_PAGES
/** 4 MB of log at 20 MB/s of commits (the 2-core machine's peak), as SQLite's default would. */
const INTERVAL_MS = 200

export interface CheckpointHostOptions {
  /** The gateway's connection: the thread opens its own on the same file. */
  db: Db
  dataDir: string
  log: Log
  intervalMs?: number
  /** Restart delays after the thread died. */
  restart?: { baseMs: number; capMs: number }
}

export interface CheckpointStats extends CheckpointProgress {
  running: boolean
}

export class CheckpointHost {
  private readonly host: WorkerHost<CheckpointThreadData, ToCheckpointThread, FromCheckpointThread>
  private progress: CheckpointProgress = { checkpoints: 0, failures: 0, lastError: null, walFrames: 0, checkpointedFrames: 0 }
  /** Counters of threads that have exited: a restarted thread counts from 0. */
  private carried = { checkpoints: 0, failures: 0 }

  constructor(private readonly opts: CheckpointHostOptions) {
    this.host = new WorkerHost({
      name: 'checkpoint thread',
      entry: new URL('./checkpoint-thread.ts', import.meta.url),
      data: { dataDir: opts.dataDir, intervalMs: opts.intervalMs ?? INTERVAL_MS },
      log: opts.log,
      restart: opts.restart ?? { baseMs: 1000, capMs: 30_000 },
      restartWhen: 'timer',
      stopTimeoutMs: 10_000,
      onStart: () => this.autoCheckpoint(SAFETY_NET_PAGES),
      onMessage: (m) => {
        this.progress = m.progress
        if (m.progress.lastError === null) this.host.resetBackoff()
      },
      onExit: (exit) => this.onExit(exit),
    })
  }

  start(): void {
    this.host.start()
  }

  async stop(): Promise<void> {
    await this.host.stop()
  }

  stats(): CheckpointStats {
    const p = this.progress
    // A thread that died counts as a failure (WorkerHost.crashes).
    const failures = this.carried.failures + p.failures + this.host.crashes
    return { ...p, running: this.host.worker !== undefined, checkpoints: this.carried.checkpoints + p.checkpoints, failures }
  }

  private onExit({ code, stopped, delayMs }: WorkerExit): void {
    this.carried = { checkpoints: this.carried.checkpoints + this.progress.checkpoints, failures: this.carried.failures + this.progress.failures }
    this.progress = { ...this.progress, checkpoints: 0, failures: 0 }
    // The gateway's connection checkpoints as SQLite would until a new thread runs (and at its close).
    if (this.opts.db.open) this.autoCheckpoint(SQLITE_DEFAULT_PAGES)
    if (!stopped) this.opts.log('error', `checkpoint thread exited (code ${code}); the ingest checkpoints itself until it restarts in ${delayMs} ms`)
  }

  private autoCheckpoint(pages: number): void {
    this.opts.db.pragma(`wal_autocheckpoint = ${pages}`)
  }
}
