/**
 * Shared pieces of the condition state machines (duration-condition.ts,
 * repetition-condition.ts): the transition they emit and the one rule for which time a
 * sample counts at.
 */

/** What a condition reports; the fault evaluators turn it into a fault transition. */
export interface ConditionTransition {
  kind: 'raise' | 'update' | 'clear'
  /** When it happened on the condition's time line (ms). */
  at: number
  /** The sample that caused it (a clear by silence: the last bad one). */
  value: number | null
  /** The worst value of the episode (duration conditions: the value with the highest score), else null. */
  peak: number | null
  /** Bad samples (or events) since the condition started. */
  count: number
  /** When the condition started to hold (first bad sample of the episode), ms. */
  since: number | null
}

/**
 * While a fault is active, how often the condition may report an update, ms. A storm of
 * bad readings must not become a storm of updates (issue 11: one alert per unit and
 * fault). Engineering choice, not pack data: it bounds load, it does not judge the unit.
 */
export const UPDATE_EVERY_MS = 60_000

/**
 * The time a sample counts at: its device time (the evidence; back-filled readings are
 * judged when they were measured), but never later than the gateway's clock: a unit whose
 * clock runs ahead cannot make a 10-minute condition complete early.
 */
export function sampleTime(ts: number, now: number): number {
  return Math.min(ts, now)
}
