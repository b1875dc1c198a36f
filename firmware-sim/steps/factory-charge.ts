/**
 * The factory charge check before unpacking (S17: seed §5 addendum art.3): the indoor unit
 * must still hold its compressed gas, the outdoor unit its refrigerant. The technician puts
 * the manifold's low-side hose on the indoor unit's connection and the high-side hose on
 * the outdoor unit's service port, and declares which gauge reads which unit.
 */
import { phaseOf } from '../devices.js'
import { SAMPLE_PERIOD_MS, type SampleEvent } from '../scenario.js'
import { manifoldPsig } from './manifold.js'
import { measure, sampleTimes, type Step } from './step.js'

export interface FactoryChargeOptions {
  /** The indoor unit's holding charge (dry nitrogen or air), kPa(g); 0 for a coil that leaked. */
  indoorKpag?: number
  /** The outdoor unit's refrigerant, kPa(g). */
  outdoorKpag?: number
}

// Indoor units ship with a small positive holding charge; about 1 bar is common.
const INDOOR_HOLDING_KPAG = 110
// R32 saturation at a 25 °C ambient: 1689.6 kPa abs (Tillner-Roth & Yokozeki EOS, as in
// rules/refrigerants/r32.ts) = 1588 kPa(g): the charge is liquid and vapour, so the gauge
// reads the saturation pressure whatever the amount.
const R32_AT_25C_KPAG = 1588
const INDOOR_HOSE_ON_S = 20
const OUTDOOR_HOSE_ON_S = 60
const DURATION_S = 180

export function factoryChargeStep(o: FactoryChargeOptions = {}): Step {
  const indoor = o.indoorKpag ?? INDOOR_HOLDING_KPAG
  const outdoor = o.outdoorKpag ?? R32_AT_25C_KPAG
  const durationMs = DURATION_S * 1000
  return {
    id: 'factory_charge',
    facts: { indoor: 'pressure_low_kpag', outdoor: 'pressure_high_kpag' },
    leadMs: 0,
    durationMs,
    spanMs: durationMs,
    samples: (start, rng) => {
      const out: SampleEvent[] = []
      for (const at of sampleTimes(start, start + durationMs, SAMPLE_PERIOD_MS, phaseOf('manifold'))) {
        // Each sensor reads 0 (zeroed at atmosphere) until its hose is on its unit.
        const low = at >= start + INDOOR_HOSE_ON_S * 1000 ? indoor : 0
        const high = at >= start + OUTDOOR_HOSE_ON_S * 1000 ? outdoor : 0
        out.push(measure('manifold', at, { pressure_low_kpag: manifoldPsig(low, rng, 1), pressure_high_kpag: manifoldPsig(high, rng, 2) }))
      }
      return out
    },
  }
}
