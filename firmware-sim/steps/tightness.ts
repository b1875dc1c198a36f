/**
 * The tightness test (S13: pressure leak test only with nitrogen): the technician fills
 * the line set and the indoor coil with dry nitrogen in stages (0.3 → 1.5 → 4.05 MPa(g),
 * DOMAIN.md), closes the bottle and holds. The manifold reads the system through the low
 * side service port; its pipe clamp reads the pipe temperature for the compensation.
 *
 * The gas follows the ideal gas law at constant volume: P(abs) = (P0(abs) - lost) × T/T0
 * (kelvin). A leak loses gas at a steady rate (`lost` grows linearly, in kPa at the starting
 * temperature); the sun on the pipe raises T. Both act on the same reading, so a leak can
 * hide behind warming: only the compensated pressure shows it.
 */
import { ATMOSPHERE_KPA } from '../../gateway/contract/units.js'
import { phaseOf } from '../devices.js'
import { noise, quantize } from '../prng.js'
import { MINUTE_MS, SAMPLE_PERIOD_MS, type SampleEvent } from '../scenario.js'
import { manifoldPsig } from './manifold.js'
import { measure, sampleTimes, type Step } from './step.js'

export interface TightnessOptions {
  /** The gas the technician declares on the start marker. */
  gas?: string
  /** Pipe temperature at the start, °C. */
  pipeC?: number
  /** Change of the pipe temperature over the hold (sun: +, shade: -), K; linear. */
  holdWarmingK?: number
  /** Gas lost through a leak, kPa per minute at the starting temperature. */
  leakKpaPerMin?: number
  /** How long the technician holds before pressing stop, minutes. */
  holdMinutes?: number
  /** Final fill, kPa(g). */
  fillKpag?: number
}

const KELVIN = 273.15
// The staged fill: [time the stage's filling starts, s; its pressure, kPa(g); seconds to fill].
// At each stage the technician looks for a gross leak before going on.
const STAGES = [
  { at: 30, kpag: 300, fillS: 20 },
  { at: 170, kpag: 1500, fillS: 40 },
  { at: 330, kpag: undefined, fillS: 80 },
] as const
const HOLD_FROM_S = 410 // the last stage's fill ends: the hold starts
const STOP_AFTER_HOLD_S = 20

/** Pressure of the fill at `s` seconds after the start marker, before the hold (isothermal). */
function fillKpag(s: number, finalKpag: number): number {
  let p = 0
  for (const stage of STAGES) {
    if (s < stage.at) break
    const target = stage.kpag ?? finalKpag
    p = p + (target - p) * Math.min(1, (s - stage.at) / stage.fillS)
  }
  return p
}

export function tightnessStep(o: TightnessOptions = {}): Step {
  const pipeC = o.pipeC ?? 24
  const warmingK = o.holdWarmingK ?? 0
  const leak = o.leakKpaPerMin ?? 0
  const holdMs = (o.holdMinutes ?? 12) * MINUTE_MS
  const finalKpag = o.fillKpag ?? 4050
  const durationMs = HOLD_FROM_S * 1000 + holdMs + STOP_AFTER_HOLD_S * 1000
  return {
    id: 'tightness',
    facts: { gas: o.gas ?? 'nitrogen' },
    leadMs: 0,
    durationMs,
    spanMs: durationMs,
    samples: (start, rng) => {
      const holdStart = start + HOLD_FROM_S * 1000
      const out: SampleEvent[] = []
      for (const at of sampleTimes(start, start + durationMs, SAMPLE_PERIOD_MS, phaseOf('manifold'))) {
        const held = Math.max(0, at - holdStart)
        const pipe = pipeC + warmingK * Math.min(1, held / holdMs)
        let kpag: number
        if (at < holdStart) kpag = fillKpag((at - start) / 1000, finalKpag)
        else {
          const p0Abs = finalKpag + ATMOSPHERE_KPA
          kpag = ((p0Abs - (leak * held) / MINUTE_MS) * (pipe + KELVIN)) / (pipeC + KELVIN) - ATMOSPHERE_KPA
        }
        // A digital manifold repeats to about 1 kPa at 4 MPa; the pipe clamp to 0.1 K.
        out.push(measure('manifold', at, { pressure_low_kpag: manifoldPsig(kpag, rng, 1), temp_pipe_c: quantize(pipe + noise(rng, 0.1), 0.1) }))
      }
      return out
    },
  }
}

/** The steady leak that exactly offsets `warmingK` of warming over `holdMinutes` at `fillKpag`: raw pressure stays flat. */
export function leakHiddenBy(warmingK: number, holdMinutes: number, fillKpag: number, pipeC: number): number {
  return ((fillKpag + ATMOSPHERE_KPA) * warmingK) / (pipeC + KELVIN) / holdMinutes
}
