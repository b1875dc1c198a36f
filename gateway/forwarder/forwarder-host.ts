/**
 * The gateway's side of the forwarder thread (forwarder-thread.ts): starts it, restarts it
 * with back-off if it dies (nothing is lost: what it had not forwarded is still in the
 * outbox), stops it at shutdown, and queues verdicts on the gateway's own connection. Its
 * stats read what waits from the outbox here, so they are always current; the counters are
 * the thread's last report (sent after every attempt).
 */
import { Worker } from 'node:worker_threads'
import { systemClock, type Clock } from '../clock.js'
import type { InfluxConfig } from '../config.js'
import type { Log } from '../log.js'
import type { Db } from '../store/database.js'
import { queuedVerdict, type VerdictRecord } from '../store/influx-points.js'
import { Backoff } from './backoff.js'
import { forwarderStats, type ForwarderProgress, type ForwarderStats } from './forwarder.js'
import { InfluxOutbox } from './outbox.js'
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
/** How often a non-system clock (tests) is copied for the thread. */
const CLOCK_COPY_MS = 5

export class ForwarderHost {
  private readonly outbox: InfluxOutbox
  private readonly backoff: Backoff
  private worker: Worker | undefined
  private exited: Promise<void> = Promise.resolve()
  /** The running thread's last report. */
  private progress: ForwarderProgress = IDLE
  /** Counters of threads that have exited: a restarted thread counts from 0. */
  private carried = { forwarded: 0, points: 0, failures: 0 }
  private restartTimer: NodeJS.Timeout | undefined
  private stopping = false
  private readonly clockCell: { buffer: SharedArrayBuffer; ms: BigInt64Array; timer: NodeJS.Timeout } | undefined

  constructor(private readonly opts: ForwarderHostOptions) {
    this.outbox = new InfluxOutbox(opts.db)
    this.backoff = new Backoff(opts.restart ?? { baseMs: 1000, capMs: 30_000 })
    if (opts.clock !== systemClock) {
      // The thread cannot call this clock: it reads a copy kept current here.
      const buffer = new SharedArrayBuffer(8)
      const timer = setInterval(() => this.copyClock(), CLOCK_COPY_MS)
      timer.unref()
      this.clockCell = { buffer, ms: new BigInt64Array(buffer), timer }
      this.copyClock()
    }
  }

  start(): void {
    if (this.worker || this.stopping) return
    const data: ForwarderThreadData = {
      dataDir: this.opts.dataDir,
      sync: this.opts.sync,
      influx: this.opts.influx,
      ...(this.clockCell ? { clockCell: this.clockCell.buffer } : {}),
    }
    // execArgv: [] so that the thread registers tsx once itself (forwarder-thread-boot.mjs).
    const worker = new Worker(new URL('./forwarder-thread-boot.mjs', import.meta.url), { workerData: data, execArgv: [] })
    this.worker = worker
    this.progress = { ...IDLE, running: true }
    worker.on('message', (m: FromThread) => this.receive(worker, m))
    worker.on('error', (err) => this.opts.log('error', 'forwarder thread failed', { err: err.stack ?? err.message }))
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.onExit(worker, code)
        resolve()
      }),
    )
  }

  /** Stops the thread after its write in flight (idempotent). What is left stays in the outbox. */
  async stop(): Promise<void> {
    this.stopping = true
    clearTimeout(this.restartTimer)
    if (this.clockCell) clearInterval(this.clockCell.timer)
    const worker = this.worker
    if (!worker) return
    worker.postMessage({ type: 'stop' } satisfies ToThread)
    const kill = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS)
    await this.exited
    clearTimeout(kill)
  }

  /** Queues a job's verdict durably; the thread forwards it with the readings. Call when a job's verdict changes. */
  writeVerdict(v: VerdictRecord): void {
    this.outbox.addVerdict(queuedVerdict(v), this.opts.clock.now())
  }

  stats(): ForwarderStats {
    this.copyClock()
    const p = this.progress
    const c = this.carried
    const totals = { ...p, forwarded: c.forwarded + p.forwarded, points: c.points + p.points, failures: c.failures + p.failures }
    return forwarderStats(totals, this.outbox.queued(this.opts.clock.now()))
  }

  private copyClock(): void {
    if (this.clockCell) Atomics.store(this.clockCell.ms, 0, BigInt(Math.trunc(this.opts.clock.now())))
  }

  private receive(worker: Worker, m: FromThread): void {
    if (m.type === 'log') return this.opts.log(m.level, m.msg, m.fields)
    if (m.type === 'progress') {
      this.progress = m.progress
      if (!m.progress.retrying) this.backoff.reset()
      return
    }
    // Stopped: its connection is closed and nothing is in flight.
    void worker.terminate()
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return
    this.worker = undefined
    const p = this.progress
    this.carried = { forwarded: this.carried.forwarded + p.forwarded, points: this.carried.points + p.points, failures: this.carried.failures + p.failures }
    if (this.stopping) {
      this.progress = { ...IDLE, lastError: p.lastError, lastForwardedAt: p.lastForwardedAt }
      return
    }
    const delay = this.backoff.next()
    const lastError = `forwarder thread exited (code ${code}); restarting in ${delay} ms`
    this.carried.failures++
    this.opts.log('error', lastError)
    // Still on, from the operator's view: retrying, as while InfluxDB is unreachable.
    this.progress = { ...IDLE, running: true, retrying: true, lastError, lastForwardedAt: p.lastForwardedAt }
    this.restartTimer = setTimeout(() => this.start(), delay)
  }
}
