/**
 * The electrical checks (S4, S14) with an installation tester, in the usual order: the
 * dead tests first (earth continuity, then insulation at 500 V DC), then, with the unit
 * powered, supply voltage and touch (leakage) current. The tester sends each reading as
 * it takes it, every 5 s while a test runs; each sample carries only the quantity measured.
 * The installer declares the supply's facts (earth conductor, breaker, RCD) on the start marker.
 */
import type { ChannelName } from '../../contract/channels.js'
import { phaseOf } from '../devices.js'
import { noise, quantize, type Rng } from '../prng.js'
import { SAMPLE_PERIOD_MS, type SampleEvent, type StepFacts } from '../scenario.js'
import { measure, sampleTimes, type Step } from './step.js'

export interface ElectricalOptions {
  facts?: StepFacts
  /** Insulation resistance, live conductors to earth, MΩ. */
  insulationMohm?: number
  /** Protective earth resistance, Ω; Infinity for no earth conductor (the tester reads over range). */
  earthOhm?: number
  /** Touch current of the running unit, mA. */
  leakageMa?: number
  supplyV?: number
}

/** A supply with an earth conductor, a dedicated breaker and a 30 mA RCD. */
export const SOUND_SUPPLY: StepFacts = { earth: true, dedicatedCircuit: true, dedicatedBreaker: true, rcd: true, rcdRatedMa: 30 }
// The tester's low-ohm range ends at 2 kΩ: above it the display shows "OL" and the tester
// sends its range limit, which is far above any earth (an open circuit).
export const EARTH_OVER_RANGE_OHM = 2_000

type TesterChannel = Extract<ChannelName, 'earth_ohm' | 'insulation_mohm' | 'voltage_v' | 'leakage_ma'>

// The tests, in seconds after the start marker.
const TESTS: readonly { from: number; to: number; channels: readonly TesterChannel[] }[] = [
  { from: 20, to: 50, channels: ['earth_ohm'] },
  { from: 70, to: 130, channels: ['insulation_mohm'] },
  { from: 160, to: 250, channels: ['voltage_v', 'leakage_ma'] },
]
const DURATION_S = 270

export function electricalStep(o: ElectricalOptions = {}): Step {
  const earth = o.earthOhm ?? 0.6
  const report: Record<TesterChannel, (rng: Rng) => number> = {
    earth_ohm: (rng) => (Number.isFinite(earth) ? quantize(earth + noise(rng, 0.03), 0.01) : EARTH_OVER_RANGE_OHM),
    insulation_mohm: (rng) => {
      const v = (o.insulationMohm ?? 200) * (1 + noise(rng, 0.02))
      return quantize(v, v < 10 ? 0.01 : 0.1)
    },
    voltage_v: (rng) => quantize((o.supplyV ?? 229) + noise(rng, 1.5), 0.1),
    leakage_ma: (rng) => quantize(Math.max(0, (o.leakageMa ?? 0.45) + noise(rng, 0.05)), 0.01),
  }
  const durationMs = DURATION_S * 1000
  return {
    id: 'electrical',
    facts: o.facts ?? SOUND_SUPPLY,
    leadMs: 0,
    durationMs,
    spanMs: durationMs,
    samples: (start, rng) => {
      const out: SampleEvent[] = []
      for (const test of TESTS) {
        for (const at of sampleTimes(start + test.from * 1000, start + test.to * 1000, SAMPLE_PERIOD_MS, phaseOf('tester'))) {
          const values: Partial<Record<ChannelName, number>> = {}
          for (const ch of test.channels) values[ch] = report[ch](rng)
          out.push(measure('tester', at, values))
        }
      }
      return out
    },
  }
}
