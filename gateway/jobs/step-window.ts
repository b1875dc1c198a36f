import type { StepId, StepMarker, StepWindow } from '../../contract/job.js'

export type { StepWindow } from '../../contract/job.js'

/**
 * The step's window from the installer's markers: the latest start, and the first stop at
 * or after it. A restarted step is judged on its last attempt.
 */
export function stepWindow(markers: readonly StepMarker[], step: StepId): StepWindow | undefined {
  const own = markers.filter((m) => m.step === step).sort((a, b) => a.at - b.at)
  const start = own.filter((m) => m.action === 'start').at(-1)
  if (!start) return undefined
  const stop = own.find((m) => m.action === 'stop' && m.at >= start.at)
  return { start: start.at, stop: stop?.at }
}

/** One attempt at a step: a start marker and the stop that ended it (if any). */
export interface StepAttempt extends StepWindow {
  /** Facts declared on the start marker, then on the stop marker (a stop's fact replaces the start's). */
  facts: Record<string, unknown>
  /** Ended by a later start without a stop of its own. */
  restarted: boolean
}

/**
 * Every attempt at the step, in time order. A start opens an attempt; the first stop at or
 * after it closes it; a start while one is open ends the open one there (the installer
 * restarted the step). Evidence is kept: a failed insulation test stays visible after a
 * retest passes. The last attempt is the one stepWindow gives.
 */
export function stepAttempts(markers: readonly StepMarker[], step: StepId): StepAttempt[] {
  const own = markers.filter((m) => m.step === step).sort((a, b) => a.at - b.at || (a.action === b.action ? 0 : a.action === 'stop' ? -1 : 1))
  const attempts: StepAttempt[] = []
  let open: StepAttempt | undefined
  for (const m of own) {
    if (m.action === 'start') {
      if (open) {
        open.stop = m.at
        open.restarted = true
      }
      open = { start: m.at, facts: { ...m.facts }, restarted: false }
      attempts.push(open)
    } else if (open) {
      open.stop = m.at
      open.facts = { ...open.facts, ...m.facts }
      open = undefined
    }
  }
  return attempts
}
