/**
 * The gateway's side of the evaluation thread (evaluation-thread.ts): starts it on the
 * first request, forwards newly stored readings to it in one message per event-loop turn,
 * and answers each evaluate() with the thread's outcome. If the thread dies (e.g. out of
 * memory on a pathological job) the evaluations in flight are rejected — the monitor shows
 * them as failed for their jobs — and the next request starts a new thread after a
 * back-off; it reloads what it needs from SQLite, so nothing is lost. An evaluation not
 * answered in evaluationTimeoutMs (a hung evaluator would hold up every job's) ends the
 * thread the same way.
 */
import { Worker } from 'node:worker_threads'
import { Backoff } from '../forwarder/backoff.js'
import type { Reading } from '../../contract/reading.js'
import type { Log } from '../log.js'
import type { EvaluationThreadData, FromEvaluationThread, ToEvaluationThread } from './evaluation-messages.js'
import type { EvaluationOutcome, JobEvaluator } from './job-evaluator.js'
import type { JobContext } from './job-context.js'

export interface EvaluationHostOptions extends EvaluationThreadData {
  log: Log
  /** Heap limit of the thread: a runaway evaluation ends the thread, not the gateway. */
  maxHeapMb?: number
  /** An evaluation not answered by then (a hung evaluator) ends the thread; a new one starts. */
  evaluationTimeoutMs?: number
}

const DEFAULT_MAX_HEAP_MB = 1536
const DEFAULT_EVALUATION_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 10_000

interface Pending {
  resolve: (o: EvaluationOutcome) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class EvaluationHost implements JobEvaluator {
  private worker: Worker | undefined
  private exited: Promise<void> = Promise.resolve()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private batch: Reading[] = []
  private flushScheduled = false
  private readonly backoff = new Backoff({ baseMs: 500, capMs: 30_000 })
  private restartAt = 0
  private stopping = false
  /** Why the current thread is being ended, if the host ended it. */
  private ending: string | undefined
  /** Threads that died (not counting stops). */
  crashes = 0

  constructor(private readonly opts: EvaluationHostOptions) {}

  add(readings: readonly Reading[]): void {
    // No thread: nothing is cached, and a new thread reads from SQLite what it needs.
    if (!this.worker || this.stopping) return
    for (const r of readings) this.batch.push(r)
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => this.flush())
  }

  forget(jobId: string): void {
    this.flush()
    this.worker?.postMessage({ type: 'forget', jobId } satisfies ToEvaluationThread)
  }

  async evaluate(ctx: JobContext): Promise<EvaluationOutcome> {
    if (this.stopping) throw new Error('the gateway is stopping')
    const worker = await this.ready()
    this.flush() // readings stored before this request are in the thread's cache before it evaluates
    const id = this.nextId++
    const timeoutMs = this.opts.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS
    return new Promise<EvaluationOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.worker !== worker) return
        this.ending = `job ${ctx.job.id} was not evaluated within ${timeoutMs} ms`
        void worker.terminate()
      }, timeoutMs)
      timer.unref()
      this.pending.set(id, { resolve, reject, timer })
      worker.postMessage({ type: 'evaluate', id, ctx } satisfies ToEvaluationThread)
    })
  }

  async stop(): Promise<void> {
    this.stopping = true
    const worker = this.worker
    if (!worker) return
    worker.postMessage({ type: 'stop' } satisfies ToEvaluationThread)
    const kill = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS)
    await this.exited
    clearTimeout(kill)
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.batch.length === 0) return
    const readings = this.batch
    this.batch = []
    this.worker?.postMessage({ type: 'readings', readings } satisfies ToEvaluationThread)
  }

  private async ready(): Promise<Worker> {
    const wait = this.restartAt - Date.now()
    if (!this.worker && wait > 0) await new Promise((r) => setTimeout(r, wait))
    if (this.stopping) throw new Error('the gateway is stopping')
    return this.worker ?? this.start()
  }

  private start(): Worker {
    const { log: _log, maxHeapMb, ...data } = this.opts
    // execArgv: [] so that the thread registers tsx once itself (evaluation-thread-boot.mjs).
    const worker = new Worker(new URL('./evaluation-thread-boot.mjs', import.meta.url), {
      workerData: data satisfies EvaluationThreadData,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb ?? DEFAULT_MAX_HEAP_MB },
    })
    this.worker = worker
    worker.on('message', (m: FromEvaluationThread) => this.receive(worker, m))
    worker.on('error', (err) => this.opts.log('error', 'evaluation thread failed', { err: err.stack ?? err.message }))
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.onExit(worker, code)
        resolve()
      }),
    )
    return worker
  }

  private receive(worker: Worker, m: FromEvaluationThread): void {
    if (m.type === 'log') return this.opts.log(m.level, m.msg, m.fields)
    if (m.type === 'stopped') return void worker.terminate()
    const p = this.pending.get(m.id)
    if (!p) return
    this.pending.delete(m.id)
    clearTimeout(p.timer)
    if (m.type === 'outcome') {
      this.backoff.reset()
      p.resolve(m.outcome)
    } else p.reject(new Error(m.error))
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return
    this.worker = undefined
    this.batch = []
    const err = new Error(`the evaluation thread exited (code ${code})${this.ending ? `: ${this.ending}` : ''}`)
    this.ending = undefined
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
    if (this.stopping) return
    this.crashes++
    const delay = this.backoff.next()
    this.restartAt = Date.now() + delay
    this.opts.log('error', `${err.message}; the next evaluation starts a new one in ${delay} ms or later`)
  }
}
