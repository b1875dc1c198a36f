import type { StepId, StepMarker } from './job.js'

export interface StepWindow {
  start: number
  /** Absent while the step is still running. */
  stop?: number | undefined
}

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
