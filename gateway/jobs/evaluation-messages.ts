/**
 * Messages between the gateway and its evaluation thread (evaluation-host.ts, evaluation-thread.ts),
 * besides the host's own (gateway/threads/thread-messages.ts).
 */
import type { Reading } from '../../contract/reading.js'
import type { ThreadControl, ThreadReport } from '../threads/thread-messages.js'
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
  | ThreadControl

export type FromEvaluationThread =
  | { type: 'outcome'; id: number; outcome: EvaluationOutcome }
  | { type: 'failed'; id: number; error: string }
  | ThreadReport
