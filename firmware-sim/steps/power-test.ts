/**
 * The power test before mounting (S2: seed §5 ch.7 art.4, "before installation the indoor
 * unit must be powered and test-run"): the technician plugs the unpacked indoor unit in,
 * runs its fan, then unplugs it. A clamp meter on the supply lead sees the fan's current.
 */
import { phaseOf } from '../devices.js'
import { noise, quantize } from '../prng.js'
import { SAMPLE_PERIOD_MS, type SampleEvent } from '../scenario.js'
import { measure, sampleTimes, type Step } from './step.js'

export interface PowerTestOptions {
  /** The indoor fan on high with the control board: about 40 W at 220 V, amperes. */
  fanCurrentA?: number
  /** How long the unit runs, seconds. */
  runS?: number
}

// The clamp is on the lead before the plug goes in, and stays a little after the unit is off.
const PLUG_IN_S = 15
const AFTER_S = 15

export function powerTestStep(o: PowerTestOptions = {}): Step {
  const fanA = o.fanCurrentA ?? 0.18
  const runS = o.runS ?? 120
  const durationMs = (PLUG_IN_S + runS + AFTER_S) * 1000
  return {
    id: 'power_test',
    leadMs: 0,
    durationMs,
    spanMs: durationMs,
    samples: (start, rng) => {
      const on = start + PLUG_IN_S * 1000
      const off = on + runS * 1000
      const out: SampleEvent[] = []
      for (const at of sampleTimes(start, start + durationMs, SAMPLE_PERIOD_MS, phaseOf('clamp'))) {
        // Unplugged the clamp reads 0.00 A; the fan's current wanders a little with the louvre motor.
        const amps = at >= on && at < off ? fanA + noise(rng, 0.01) : 0
        out.push(measure('clamp', at, { current_a: quantize(Math.max(0, amps), 0.01) }))
      }
      return out
    },
  }
}
