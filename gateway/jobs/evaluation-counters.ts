/** The job monitor's counters: how many evaluations, how long they took, what the cache holds. */
import type { EvaluationOutcome } from './job-evaluator.js'

/** JobMonitor.stats(): what evaluating costs, and what the cache holds (as of the last evaluation). */
export interface JobMonitorStats {
  evaluations: number
  /** Evaluations that failed (their jobs show GW_ERR_EVALUATION_FAILED). */
  failures: number
  lastEvaluationMs: number
  maxEvaluationMs: number
  totalEvaluationMs: number
  /** Readings handed to step evaluators by the last evaluation, and by all of them. */
  lastReadingsEvaluated: number
  readingsEvaluated: number
  /** Readings the last evaluation touched (new ones, and a bounded few, for a step judged from its summary), and all of them. */
  lastReadingsVisited: number
  readingsVisited: number
  /** Open steps judged from a summary extended by the new readings; from one started from scratch (a full pass). */
  summaryExtensions: number
  summaryRebuilds: number
  /** Stopped steps taken from the memo instead of being judged again. */
  memoHits: number
  cachedJobs: number
  cachedReadings: number
  cachedBytes: number
  maxCachedReadings: number
  cacheEvictions: number
  /** Reading objects kept for the next evaluation, and built from the columns in all (the rest were reused). */
  viewedReadings: number
  builtReadings: number
}

export class EvaluationCounters {
  evaluations = 0
  failures = 0
  private totalMs = 0
  private lastMs = 0
  private maxMs = 0
  private lastReadings = 0
  private readings = 0
  private lastVisited = 0
  private visited = 0
  private memoHits = 0
  private cache: EvaluationOutcome['cache'] | undefined

  count(o: EvaluationOutcome): void {
    this.evaluations++
    this.lastMs = o.ms
    this.maxMs = Math.max(this.maxMs, o.ms)
    this.totalMs += o.ms
    this.lastReadings = o.work.readingsEvaluated
    this.readings += o.work.readingsEvaluated
    this.lastVisited = o.work.readingsVisited
    this.visited += o.work.readingsVisited
    this.memoHits += o.work.memoHits
    this.cache = o.cache
  }

  stats(): JobMonitorStats {
    return {
      evaluations: this.evaluations,
      failures: this.failures,
      lastEvaluationMs: round(this.lastMs),
      maxEvaluationMs: round(this.maxMs),
      totalEvaluationMs: round(this.totalMs),
      lastReadingsEvaluated: this.lastReadings,
      readingsEvaluated: this.readings,
      lastReadingsVisited: this.lastVisited,
      readingsVisited: this.visited,
      summaryExtensions: this.cache?.summaryExtensions ?? 0,
      summaryRebuilds: this.cache?.summaryRebuilds ?? 0,
      memoHits: this.memoHits,
      cachedJobs: this.cache?.jobs ?? 0,
      cachedReadings: this.cache?.cachedReadings ?? 0,
      cachedBytes: this.cache?.cachedBytes ?? 0,
      maxCachedReadings: this.cache?.maxReadings ?? 0,
      cacheEvictions: this.cache?.evictions ?? 0,
      viewedReadings: this.cache?.viewedReadings ?? 0,
      builtReadings: this.cache?.builtReadings ?? 0,
    }
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100
