/**
 * Evacuation with a micron probe (DOMAIN.md, "Evacuation"): the pump pulls the system down
 * from atmosphere, the technician isolates the pump once the level is well below 500
 * microns and watches the decay for 20 minutes before pressing stop. The probe reads
 * absolute, every 10 s, and sends nothing above its range (its display shows "over").
 *
 * Pump-down: a fast exponential from atmosphere (the pump's displacement against the
 * system's volume) plus a slow one (water and refrigerant oil outgassing), over a floor.
 * After isolation the level rises by `rise(minutes since isolation)`: a little and levelling
 * off for a dry tight system, a lot and levelling off for moisture, a steady climb for a leak.
 */
import { phaseOf } from '../devices.js'
import { noise, quantize } from '../prng.js'
import { MINUTE_MS, type SampleEvent } from '../scenario.js'
import { measure, sampleTimes, type Step } from './step.js'

export interface EvacuationOptions {
  /** Minutes from the pump starting to the technician isolating it. */
  pumpDownMinutes?: number
  /** What the pump-down approaches, microns. */
  floorMicron?: number
  /** Outgassing (moisture, oil): its share of the level at the start, microns, and how slowly it goes, minutes. */
  outgasMicron?: number
  outgasTauMin?: number
  /** Rise above the isolation level, microns, `m` minutes after isolation. */
  rise?: (m: number) => number
  /** How long the technician watches the decay before pressing stop, minutes. */
  watchMinutes?: number
}

export const ATMOSPHERE_MICRON = 760_000
// Thermistor (Pirani-type) micron gauges read up to a few 10,000 microns.
const PROBE_RANGE_MICRON = 25_000
const PROBE_PERIOD_MS = 10_000
const PUMP_ON_S = 30
// Two-stage pump against a split's line set and coils: atmosphere to ~1000 microns in a few minutes.
const PUMP_TAU_MIN = 0.4

/** A dry, tight system after isolation: oil and hose fittings outgas a little, levelling off at about +120 microns. */
export const DRY_TIGHT_RISE = (m: number) => 120 * (1 - Math.exp(-m / 4))

export function evacuationStep(o: EvacuationOptions = {}): Step {
  const pumpMin = o.pumpDownMinutes ?? 25
  const floor = o.floorMicron ?? 200
  const outgas = o.outgasMicron ?? 4_000
  const outgasTau = o.outgasTauMin ?? 6
  const rise = o.rise ?? DRY_TIGHT_RISE
  const durationMs = PUMP_ON_S * 1000 + (pumpMin + (o.watchMinutes ?? 22)) * MINUTE_MS
  const pumped = (m: number) => floor + (ATMOSPHERE_MICRON - floor - outgas) * Math.exp(-m / PUMP_TAU_MIN) + outgas * Math.exp(-m / outgasTau)
  return {
    id: 'evacuation',
    leadMs: 0,
    durationMs,
    spanMs: durationMs,
    samples: (start, rng) => {
      const pumpOn = start + PUMP_ON_S * 1000
      const isolated = pumpOn + pumpMin * MINUTE_MS
      const out: SampleEvent[] = []
      for (const at of sampleTimes(start, start + durationMs, PROBE_PERIOD_MS, phaseOf('probe'))) {
        let level: number
        if (at < pumpOn) level = ATMOSPHERE_MICRON
        else if (at < isolated) level = pumped((at - pumpOn) / MINUTE_MS)
        else level = pumped(pumpMin) + rise((at - isolated) / MINUTE_MS)
        if (level > PROBE_RANGE_MICRON) continue
        // ±1.5 % of reading ± 2 microns, 1 micron resolution.
        out.push(measure('probe', at, { vacuum_micron: quantize(Math.max(0, level + noise(rng, 0.015 * level + 2)), 1) }))
      }
      return out
    },
  }
}
