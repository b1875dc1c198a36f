/**
 * The tightness test (S13: pressure leak test only with nitrogen): the technician fills
 * the line set and the indoor coil with dry nitrogen in stages (0.3 → 1.5 → 4.05 MPa(g),
 * DOMAIN.md), closes the bottle and holds. The manifold reads the system through the low
 * side service port; its pipe clamp reads the pipe temperature for the compensation.
 *
 * The gas is real nitrogen at constant volume (rules/gas/nitrogen.ts, Span et al. 2000):
 * the pressure is the equation of state at the gas's density and the pipe temperature. A
 * leak loses gas at a steady rate (the density falls linearly; `leakKpaPerMin` is that loss
 * as pressure at the starting temperature); the sun on the pipe raises T. Both act on the
 * same reading, so a leak can hide behind warming: only the compensated pressure shows it.
 */
import { ATMOSPHERE_KPA } from '../../contract/units.js'
import { n2DensityMolDm3 } from '../../rules/gas/nitrogen.js'
import { n2PressureKpa } from '../../rules/gas/nitrogen-span-2000.js'
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
  /** Change of the pipe temperature over the hold (sun: +, shade or night: -), K; linear. */
  holdWarmingK?: number
  /** Gas lost through a leak, kPa per minute at the starting temperature. */
  leakKpaPerMin?: number
  /** How long the technician holds before pressing stop, minutes. */
  holdMinutes?: number
  /** Final fill, kPa(g). */
  fillKpag?: number
  /** How long each of the 0.3 and 1.5 MPa stages is held, s (VRF manuals: at least 3 minutes). */
  stageHoldS?: number
  /** The manifold's reporting period during the hold, ms (a 24 h VRF hold logs once a minute). */
  holdPeriodMs?: number
}

const KELVIN = 273.15
const STAGE_FILL_S = [20, 40, 80] as const
const START_FILL_S = 30
const STOP_AFTER_HOLD_S = 20

interface Stage {
  at: number
  kpag: number | undefined
  fillS: number
}

/** The staged fill: the 0.3 and 1.5 MPa stages held `holdS` each; at each the technician looks for a gross leak. */
function stages(holdS: number): Stage[] {
  const s1 = START_FILL_S
  const s2 = s1 + STAGE_FILL_S[0] + holdS
  const s3 = s2 + STAGE_FILL_S[1] + holdS
  return [
    { at: s1, kpag: 300, fillS: STAGE_FILL_S[0] },
    { at: s2, kpag: 1500, fillS: STAGE_FILL_S[1] },
    { at: s3, kpag: undefined, fillS: STAGE_FILL_S[2] },
  ]
}

/** Pressure of the fill at `s` seconds after the start marker, before the hold (isothermal). */
function fillKpag(s: number, finalKpag: number, plan: readonly Stage[]): number {
  let p = 0
  for (const stage of plan) {
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
  // The default 2-minute stages keep the split scenarios as they were; VRF scenarios hold longer.
  const plan = stages(o.stageHoldS ?? 120)
  const last = plan[2]!
  const holdFromS = last.at + last.fillS
  const durationMs = holdFromS * 1000 + holdMs + STOP_AFTER_HOLD_S * 1000
  // The gas at the end of the fill, and how fast a leak removes it (mol/dm³ per minute).
  const p0Abs = finalKpag + ATMOSPHERE_KPA
  const rho0 = n2DensityMolDm3(p0Abs, pipeC + KELVIN)
  const rhoLossPerMin = leak > 0 ? rho0 - n2DensityMolDm3(p0Abs - leak, pipeC + KELVIN) : 0
  return {
    id: 'tightness',
    facts: { gas: o.gas ?? 'nitrogen' },
    leadMs: 0,
    durationMs,
    spanMs: durationMs,
    samples: (start, rng) => {
      const holdStart = start + holdFromS * 1000
      const out: SampleEvent[] = []
      const fillTimes = sampleTimes(start, holdStart - 1, SAMPLE_PERIOD_MS, phaseOf('manifold'))
      const holdTimes = sampleTimes(holdStart, start + durationMs, o.holdPeriodMs ?? SAMPLE_PERIOD_MS, phaseOf('manifold'))
      for (const at of [...fillTimes, ...holdTimes]) {
        const held = Math.max(0, at - holdStart)
        const pipe = pipeC + warmingK * Math.min(1, held / holdMs)
        const kpag = at < holdStart ? fillKpag((at - start) / 1000, finalKpag, plan) : n2PressureKpa(rho0 - (rhoLossPerMin * held) / MINUTE_MS, pipe + KELVIN) - ATMOSPHERE_KPA
        // A digital manifold repeats to about 1 kPa at 4 MPa; the pipe clamp to 0.1 K.
        out.push(measure('manifold', at, { pressure_low_kpag: manifoldPsig(kpag, rng, 1), temp_pipe_c: quantize(pipe + noise(rng, 0.1), 0.1) }))
      }
      return out
    },
  }
}

/** The steady leak (kPa/min at the starting temperature) that exactly offsets `warmingK` of warming over `holdMinutes` at `fillKpag`: the raw pressure stays flat. */
export function leakHiddenBy(warmingK: number, holdMinutes: number, fillKpag: number, pipeC: number): number {
  const pAbs = fillKpag + ATMOSPHERE_KPA
  // The gas left when the warm pipe reads the starting pressure, as pressure at the starting temperature.
  const rhoEnd = n2DensityMolDm3(pAbs, pipeC + warmingK + KELVIN)
  return (pAbs - n2PressureKpa(rhoEnd, pipeC + KELVIN)) / holdMinutes
}
