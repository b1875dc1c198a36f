/**
 * One step of the commissioning procedure as a timeline builder: what the devices measure
 * around the technician's start and stop markers. A scenario lays its steps end to end
 * (placeSteps); each step only knows times relative to its own start marker.
 */
import type { Rng } from '../prng.js'
import type { DeviceRole, Measurement, SampleEvent, StepEventPlan, StepFacts, StepId, StepWindowPlan } from '../scenario.js'

export interface Step {
  id: StepId
  /** Declared with the start marker (e.g. the test gas of the tightness test). */
  facts?: StepFacts
  /** Devices report this long before the start marker (the unit switched on before the test run), ms. */
  leadMs: number
  /** Start marker to stop marker, ms. */
  durationMs: number
  /** Start marker to the step's last reading, ms; at least durationMs. */
  spanMs: number
  /** Pure: every device's messages, within [startTs - leadMs, startTs + spanMs]; `startTs` is the start marker. */
  samples(startTs: number, rng: Rng): SampleEvent[]
  /** Events the installer marks inside the step (e.g. the pump isolated), within [startTs, startTs + durationMs]. */
  events?(startTs: number): StepEventPlan[]
}

/** A step of a procedure and the pause before its first reading (the technician mounting the unit, moving the meters). */
export interface ProcedureStep {
  step: Step
  pauseBeforeMs: number
}

export interface PlacedSteps {
  windows: StepWindowPlan[]
  samples: SampleEvent[]
}

/** Device-time length of a procedure from its first reading to its last. */
export function procedureSpanMs(procedure: readonly ProcedureStep[]): number {
  return procedure.reduce((t, p) => t + p.pauseBeforeMs + p.step.leadMs + p.step.spanMs, 0)
}

/**
 * Lays the steps end to end from `originTs`: each step's lead starts after the previous
 * step's last reading plus its pause. The noise source is consumed step by step, in order.
 */
export function placeSteps(procedure: readonly ProcedureStep[], originTs: number, rng: Rng): PlacedSteps {
  const windows: StepWindowPlan[] = []
  const samples: SampleEvent[] = []
  let t = originTs
  for (const { step, pauseBeforeMs } of procedure) {
    const start = t + pauseBeforeMs + step.leadMs
    const events = step.events?.(start)
    windows.push({ step: step.id, start, stop: start + step.durationMs, ...(step.facts ? { facts: step.facts } : {}), ...(events?.length ? { events } : {}) })
    for (const s of step.samples(start, rng)) samples.push(s)
    t = start + step.spanMs
  }
  return { windows, samples }
}

/**
 * The instants a device samples at within [from, to]: every periodMs on the device's own
 * clock (its phase from the step's start marker), so two meters are never in step.
 */
export function sampleTimes(from: number, to: number, periodMs: number, phaseMs = 0): number[] {
  const out: number[] = []
  for (let at = from + phaseMs; at <= to; at += periodMs) out.push(at)
  return out
}

/** A measurement of `role` at `at`. */
export function measure(role: DeviceRole, at: number, values: Measurement['values']): Measurement {
  return { kind: 'measurement', at, deviceRole: role, values }
}
