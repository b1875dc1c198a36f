/** Messages between the gateway and its evaluation thread (evaluation-host.ts, evaluation-thread.ts). */
import type { Reading } from '../../contract/reading.js'
import type { LogLevel } from '../log.js'
import type { EvaluationOutcome } from './job-evaluator.js'
import type { JobContext } from './job-context.js'

export interface EvaluationThreadData {
  dataDir: string
  sync: 'full' | 'normal'
  siteUtcOffsetMinutes: number
  maxCachedReadings?: number | undefined
}

export type ToEvaluationThread =
  | { type: 'readings'; readings: Reading[] }
  | { type: 'forget'; jobId: string }
  | { type: 'evaluate'; id: number; ctx: JobContext }
  | { type: 'stop' }

export type FromEvaluationThread =
  | { type: 'outcome'; id: number; outcome: EvaluationOutcome }
  | { type: 'failed'; id: number; error: string }
  | { type: 'log'; level: LogLevel; msg: string; fields?: Record<string, unknown> }
  | { type: 'stopped' }
