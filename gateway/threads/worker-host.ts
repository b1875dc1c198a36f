/**
 * One worker thread kept for a part of the gateway (the InfluxDB forwarder, the job
 * evaluator): starts it through the one boot file (worker-boot.mjs), relays its log lines,
 * restarts it with back-off when it dies (crash, heap limit, or ended by its owner as hung),
 * and stops it at shutdown: asked to stop, it finishes what it is doing and says `stopped`;
 * one that does not within stopTimeoutMs is terminated. The owner speaks the thread's own
 * messages; `log`, `stopped` and `stop` are the host's.
 */
import { Worker } from 'node:worker_threads'
import type { Log } from '../log.js'
import { Backoff } from '../shared/backoff.js'
import type { HostedThreadData, ThreadControl, ThreadReport } from './thread-messages.js'

export interface WorkerExit {
  /** The thread's exit code (1 when terminated). */
  code: number
  /** Why the owner ended it (end()), if it did. */
  reason: string | undefined
  /** stop() ended it: no new thread follows. */
  stopped: boolean
  /** When it died: the back-off before a new thread, ms. */
  delayMs: number | undefined
}

export interface WorkerHostOptions<D, Out> {
  /** Names the thread in log lines, e.g. "forwarder thread". */
  name: string
  /** The thread's module (a .ts file, as a file URL beside its owner). */
  entry: URL
  /** Given to the thread (structured clone). */
  data: D
  log: Log
  /** Delays before a new thread after one died; resetBackoff() when the thread proves healthy. */
  restart: { baseMs: number; capMs: number }
  /**
   * `timer`: a new thread starts by itself after the back-off (the forwarder has work nobody asks
   * for). `demand`: the next ready() after the back-off starts it (evaluations come on request).
   */
  restartWhen: 'timer' | 'demand'
  stopTimeoutMs: number
  /** Heap limit of the thread: a runaway thread ends, not the gateway. */
  maxHeapMb?: number | undefined
  /** A thread was started (the first, or one after a crash). */
  onStart?(worker: Worker): void
  /** The thread's own messages (everything but `log` and `stopped`). */
  onMessage(m: Exclude<Out, ThreadReport>, worker: Worker): void
  /** Every exit of the current thread, before any restart is scheduled. */
  onExit(exit: WorkerExit): void
}

export class WorkerHost<D, In extends { type: string }, Out extends { type: string }> {
  private current: Worker | undefined
  private exited: Promise<void> = Promise.resolve()
  private stopped: Promise<void> | undefined
  private readonly backoff: Backoff
  private restartTimer: NodeJS.Timeout | undefined
  private restartAt = 0
  /** Why the owner is ending the current thread. */
  private ending: string | undefined
  /** Threads that died (not counting stops). */
  crashes = 0

  constructor(private readonly opts: WorkerHostOptions<D, Out>) {
    this.backoff = new Backoff(opts.restart)
  }

  /** The running thread, if any. */
  get worker(): Worker | undefined {
    return this.current
  }

  get stopping(): boolean {
    return this.stopped !== undefined
  }

  /** Starts the thread unless one runs or the host is stopping; returns the running thread. */
  start(): Worker | undefined {
    if (this.stopping) return undefined
    return this.current ?? this.spawn()
  }

  /** The running thread, or a new one once the back-off after a crash has passed. */
  async ready(): Promise<Worker> {
    const wait = this.restartAt - Date.now()
    if (!this.current && wait > 0) await new Promise((r) => setTimeout(r, wait))
    if (this.stopping) throw new Error('the gateway is stopping')
    return this.current ?? this.spawn()
  }

  /** Posts to the running thread; nothing when none runs. */
  post(m: In): void {
    this.current?.postMessage(m)
  }

  /** The thread works: the next crash waits the shortest delay again. */
  resetBackoff(): void {
    this.backoff.reset()
  }

  /** Ends `worker` (if it is still the current thread), telling onExit why. */
  end(worker: Worker, reason: string): void {
    if (this.current !== worker) return
    this.ending = reason
    void worker.terminate()
  }

  /** Stops the thread after the work in flight (idempotent: every call waits for the same exit). */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown()
    return this.stopped
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.restartTimer)
    const worker = this.current
    if (!worker) return
    worker.postMessage({ type: 'stop' } satisfies ThreadControl)
    const kill = setTimeout(() => void worker.terminate(), this.opts.stopTimeoutMs)
    await this.exited
    clearTimeout(kill)
  }

  private spawn(): Worker {
    const { entry, data, maxHeapMb } = this.opts
    // execArgv: [] so that the thread registers tsx once itself (worker-boot.mjs).
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: entry.href, data } satisfies HostedThreadData<D>,
      execArgv: [],
      ...(maxHeapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } } : {}),
    })
    this.current = worker
    this.opts.onStart?.(worker)
    worker.on('message', (m: Out | ThreadReport) => this.receive(worker, m))
    worker.on('error', (err) => this.opts.log('error', `${this.opts.name} failed`, { err: err.stack ?? err.message }))
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.onExit(worker, code)
        resolve()
      }),
    )
    return worker
  }

  private receive(worker: Worker, m: Out | ThreadReport): void {
    if (isReport(m)) {
      if (m.type === 'log') return this.opts.log(m.level, m.msg, m.fields)
      // Stopped: its connections are closed and nothing is in flight.
      return void worker.terminate()
    }
    this.opts.onMessage(m as Exclude<Out, ThreadReport>, worker)
  }

  private onExit(worker: Worker, code: number): void {
    if (this.current !== worker) return
    this.current = undefined
    const reason = this.ending
    this.ending = undefined
    if (this.stopping) return this.opts.onExit({ code, reason, stopped: true, delayMs: undefined })
    this.crashes++
    const delayMs = this.backoff.next()
    this.opts.onExit({ code, reason, stopped: false, delayMs })
    if (this.opts.restartWhen === 'timer') this.restartTimer = setTimeout(() => this.start(), delayMs)
    else this.restartAt = Date.now() + delayMs
  }
}

function isReport(m: { type: string }): m is ThreadReport {
  // The host's own message types: a thread's own messages use other names.
  return m.type === 'log' || m.type === 'stopped'
}
