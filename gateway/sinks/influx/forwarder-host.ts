/**
 * The gateway's side of the forwarder thread (forwarder-thread.ts), hosted by the shared
 * WorkerHost: started at start(), restarted with back-off if it dies (nothing is lost: what it
 * had not forwarded is still in the outbox), stopped at shutdown; verdicts are queued on the
 * gateway's own connection. Its stats read what waits from the outbox here, so they are always
 * current; the counters are the thread's last report (sent after every attempt).
 */
import type { Clock } from '../../clock.js'
import type { InfluxConfig } from '../../config.js'
import type { Log } from '../../log.js'
import type { Db } from '../../store/database.js'
import { queuedVerdict, type VerdictRecord } from './influx-points.js'
import { SharedClock } from '../../threads/shared-clock.js'
import { WorkerHost, type WorkerExit } from '../../threads/worker-host.js'
import { forwarderStats, type ForwarderProgress, type ForwarderStats } from './forwarder.js'
import { InfluxOutbox } from './influx-outbox.js'
import type { ForwarderThreadData, FromThread, ToThread } from './thread-messages.js'

export interface ForwarderHostOptions {
  /** The gateway's connection: the thread opens its own on the same file. */
  db: Db
  dataDir: string
  sync: 'full' | 'normal'
  influx: InfluxConfig
  clock: Clock
  log: Log
  /** Restart delays after the thread died. */
  restart?: { baseMs: number; capMs: number }
}

const IDLE: ForwarderProgress = { running: false, retrying: false, forwarded: 0, points: 0, failures: 0, lastError: null, lastForwardedAt: null }
/** A stopping thread finishes its write in flight (node-influx gives up after 15 s); then it is terminated. */
const STOP_TIMEOUT_MS = 20_000

export class ForwarderHost {
  private readonly outbox: InfluxOutbox
  private readonly clock: SharedClock
  private readonly host: WorkerHost<ForwarderThreadData, ToThread, FromThread>
  /** The running thread's last report. */
  private progress: ForwarderProgress = IDLE
  /** Counters of threads that have exited: a restarted thread counts from 0. */
  private carried = { forwarded: 0, points: 0, failures: 0 }

  constructor(private readonly opts: ForwarderHostOptions) {
    this.outbox = new InfluxOutbox(opts.db)
    // The thread reads the gateway's clock (a manual one in tests) through shared memory.
    this.clock = new SharedClock(opts.clock)
    this.host = new WorkerHost({
      name: 'forwarder thread',
      entry: new URL('./forwarder-thread.ts', import.meta.url),
      data: { dataDir: opts.dataDir, sync: opts.sync, influx: opts.influx, clockCell: this.clock.buffer },
      log: opts.log,
      restart: opts.restart ?? { baseMs: 1000, capMs: 30_000 },
      restartWhen: 'timer',
      stopTimeoutMs: STOP_TIMEOUT_MS,
      onStart: () => {
        this.progress = { ...IDLE, running: true }
      },
      onMessage: (m) => this.receive(m),
      onExit: (exit) => this.onExit(exit),
    })
  }

  /** The running thread (tests end it to prove a restart). */
  private get worker() {
    return this.host.worker
  }

  start(): void {
    if (this.worker || this.host.stopping) return
    this.clock.start()
    this.host.start()
  }

  /** Stops the thread after its write in flight (idempotent). What is left stays in the outbox. */
  async stop(): Promise<void> {
    await this.host.stop()
    this.clock.stop()
  }

  /** Queues a job's verdict durably; the thread forwards it with the readings. Call when a job's verdict changes. */
  writeVerdict(v: VerdictRecord): void {
    this.outbox.addVerdict(queuedVerdict(v), this.opts.clock.now())
  }

  stats(): ForwarderStats {
    this.clock.copy()
    const p = this.progress
    const c = this.carried
    const totals = { ...p, forwarded: c.forwarded + p.forwarded, points: c.points + p.points, failures: c.failures + p.failures }
    return forwarderStats(totals, this.outbox.queued(this.opts.clock.now()))
  }

  private receive(m: FromThread): void {
    if (m.type !== 'progress') return
    this.progress = m.progress
    if (!m.progress.retrying) this.host.resetBackoff()
  }

  private onExit({ code, stopped, delayMs }: WorkerExit): void {
    const p = this.progress
    this.carried = { forwarded: this.carried.forwarded + p.forwarded, points: this.carried.points + p.points, failures: this.carried.failures + p.failures }
    if (stopped) {
      this.progress = { ...IDLE, lastError: p.lastError, lastForwardedAt: p.lastForwardedAt }
      return
    }
    const lastError = `forwarder thread exited (code ${code}); restarting in ${delayMs} ms`
    this.carried.failures++
    this.opts.log('error', lastError)
    // Still on, from the operator's view: retrying, as while InfluxDB is unreachable.
    this.progress = { ...IDLE, running: true, retrying: true, lastError, lastForwardedAt: p.lastForwardedAt }
  }
}
