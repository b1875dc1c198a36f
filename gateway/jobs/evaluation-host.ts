/**
 * The gateway's side of the evaluation thread (evaluation-thread.ts), hosted by the shared
 * WorkerHost: started on the first request, it gets newly stored readings in one message per
 * event-loop turn and answers each evaluate() with the thread's outcome. If the thread dies
 * (e.g. out of memory on a pathological job) the evaluations in flight are rejected — the
 * monitor shows them as failed for their jobs — and the next request starts a new thread after
 * a back-off; it reloads what it needs from SQLite, so nothing is lost. An evaluation not
 * answered in evaluationTimeoutMs (a hung evaluator would hold up every job's) ends the
 * thread the same way.
 */
import type { Reading } from '../../contract/reading.js'
import type { Log } from '../log.js'
import type { ThreadReport } from '../threads/thread-messages.js'
import { WorkerHost, type WorkerExit } from '../threads/worker-host.js'
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
  private readonly host: WorkerHost<EvaluationThreadData, ToEvaluationThread, FromEvaluationThread>
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private batch: Reading[] = []
  private flushScheduled = false

  constructor(private readonly opts: EvaluationHostOptions) {
    const { log, maxHeapMb, evaluationTimeoutMs: _timeout, ...data } = opts
    this.host = new WorkerHost({
      name: 'evaluation thread',
      entry: new URL('./evaluation-thread.ts', import.meta.url),
      data: data satisfies EvaluationThreadData,
      log,
      restart: { baseMs: 500, capMs: 30_000 },
      restartWhen: 'demand',
      stopTimeoutMs: STOP_TIMEOUT_MS,
      maxHeapMb: maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
      onMessage: (m) => this.receive(m),
      onExit: (exit) => this.onExit(exit),
    })
  }

  /** Threads that died (not counting stops). */
  get crashes(): number {
    return this.host.crashes
  }

  add(readings: readonly Reading[]): void {
    // No thread: nothing is cached, and a new thread reads from SQLite what it needs.
    if (!this.host.worker || this.host.stopping) return
    for (const r of readings) this.batch.push(r)
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => this.flush())
  }

  forget(jobId: string): void {
    this.flush()
    this.host.post({ type: 'forget', jobId })
  }

  async evaluate(ctx: JobContext): Promise<EvaluationOutcome> {
    if (this.host.stopping) throw new Error('the gateway is stopping')
    const worker = await this.host.ready()
    this.flush() // readings stored before this request are in the thread's cache before it evaluates
    const id = this.nextId++
    const timeoutMs = this.opts.evaluationTimeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS
    return new Promise<EvaluationOutcome>((resolve, reject) => {
      const timer = setTimeout(() => this.host.end(worker, `job ${ctx.job.id} was not evaluated within ${timeoutMs} ms`), timeoutMs)
      timer.unref()
      this.pending.set(id, { resolve, reject, timer })
      worker.postMessage({ type: 'evaluate', id, ctx } satisfies ToEvaluationThread)
    })
  }

  /** Stops the thread after the evaluation in flight (idempotent). */
  stop(): Promise<void> {
    return this.host.stop()
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.batch.length === 0) return
    const readings = this.batch
    this.batch = []
    this.host.post({ type: 'readings', readings })
  }

  private receive(m: Exclude<FromEvaluationThread, ThreadReport>): void {
    const p = this.pending.get(m.id)
    if (!p) return
    this.pending.delete(m.id)
    clearTimeout(p.timer)
    if (m.type === 'outcome') {
      this.host.resetBackoff()
      p.resolve(m.outcome)
    } else p.reject(new Error(m.error))
  }

  private onExit({ code, reason, stopped, delayMs }: WorkerExit): void {
    this.batch = []
    const err = new Error(`the evaluation thread exited (code ${code})${reason ? `: ${reason}` : ''}`)
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
    if (stopped) return
    this.opts.log('error', `${err.message}; the next evaluation starts a new one in ${delayMs} ms or later`)
  }
}
