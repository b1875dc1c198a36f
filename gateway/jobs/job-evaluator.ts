/**
 * Where verdicts are computed: the reading cache and the verdict service together. The
 * gateway runs one in a thread of its own (evaluation-host.ts), so that judging a job of
 * 500,000 readings never holds up the event loop that acknowledges readings; tests of the
 * monitor may run one in the same thread (InlineEvaluator).
 */
import type { Reading } from '../../contract/reading.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { JobContext } from './job-context.js'
import { JobReadingCache, type CacheStats } from './job-reading-cache.js'
import { VerdictService, type EvaluationWork, type Verdict } from './verdict-service.js'

export interface EvaluationOutcome {
  verdict: Verdict
  /** Time the evaluation took where it ran, ms. */
  ms: number
  work: EvaluationWork
  cache: CacheStats
}

export interface JobEvaluator {
  /** Newly stored readings of watched devices. */
  add(readings: readonly Reading[]): void
  /** The job's attachments changed: its cached readings and memo are stale. */
  forget(jobId: string): void
  /** Rejects if the evaluation failed (the monitor turns that into the job's failed verdict). */
  evaluate(ctx: JobContext): Promise<EvaluationOutcome>
  stop(): Promise<void>
}

export interface InlineEvaluatorOptions {
  store: ReadingStore
  siteUtcOffsetMinutes: number
  maxCachedReadings?: number | undefined
  /** See VerdictDeps.incremental. */
  incremental?: boolean | undefined
}

export class InlineEvaluator implements JobEvaluator {
  readonly cache: JobReadingCache
  private readonly verdicts: VerdictService

  constructor(opts: InlineEvaluatorOptions) {
    this.cache = new JobReadingCache(opts.store, opts.maxCachedReadings)
    this.verdicts = new VerdictService({ cache: this.cache, siteUtcOffsetMinutes: opts.siteUtcOffsetMinutes, incremental: opts.incremental })
  }

  add(readings: readonly Reading[]): void {
    this.cache.add(readings)
  }

  forget(jobId: string): void {
    this.cache.invalidate(jobId)
  }

  async evaluate(ctx: JobContext): Promise<EvaluationOutcome> {
    const started = performance.now()
    let verdict: Verdict
    try {
      verdict = await this.verdicts.verdict(ctx)
    } finally {
      this.cache.enforceCap(ctx.job.id)
    }
    return { verdict, ms: performance.now() - started, work: this.verdicts.lastWork, cache: this.cache.stats() }
  }

  async stop(): Promise<void> {}
}
