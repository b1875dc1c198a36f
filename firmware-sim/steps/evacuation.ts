/**
 * Evacuation with a micron probe (DOMAIN.md, "Evacuation"): the pump pulls the system down
 * from atmosphere, the technician isolates the pump once the level is well below 500
 * microns and watches the decay for 20 minutes before pressing stop. The probe reads
 * absolute, every 10 s, and sends nothing above its range (its display shows "over").
 *
 * The technician marks the isolation (POST .../steps/evacuation/isolate) when the valve is
 * closed: the gateway's decay test starts there (`isolate: false`: never marked).
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
  /** Whether the technician marks the isolation; default true. */
  isolate?: boolean
  /** After isolation the gauge shows the level rounded, dithering by ±this many microns (a steady level on a 1-micron display) instead of noise. */
  ditherMicron?: number
  /** Single faulty readings (probe or radio): at `minute` after isolation the probe reports `micron`. */
  glitches?: readonly { minute: number; micron: number }[]
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
    events: (start) => (o.isolate === false ? [] : [{ action: 'isolate', at: start + PUMP_ON_S * 1000 + pumpMin * MINUTE_MS }]),
    samples: (start, rng) => {
      const pumpOn = start + PUMP_ON_S * 1000
      const isolated = pumpOn + pumpMin * MINUTE_MS
      const out: SampleEvent[] = []
      const glitchAt = new Map<number, number>()
      const times = sampleTimes(start, start + durationMs, PROBE_PERIOD_MS, phaseOf('probe'))
      for (const g of o.glitches ?? []) {
        const t = isolated + g.minute * MINUTE_MS
        const nearest = times.reduce((best, x) => (Math.abs(x - t) < Math.abs(best - t) ? x : best), times[0]!)
        glitchAt.set(nearest, g.micron)
      }
      let k = 0
      for (const at of times) {
        let level: number
        if (at < pumpOn) level = ATMOSPHERE_MICRON
        else if (at < isolated) level = pumped((at - pumpOn) / MINUTE_MS)
        else level = pumped(pumpMin) + rise((at - isolated) / MINUTE_MS)
        if (level > PROBE_RANGE_MICRON) continue
        // ±1.5 % of reading ± 2 microns, 1 micron resolution (or the dithering display).
        const shown = o.ditherMicron !== undefined && at >= isolated ? Math.round(level) + ((k++ % 3) - 1) * o.ditherMicron : quantize(Math.max(0, level + noise(rng, 0.015 * level + 2)), 1)
        out.push(measure('probe', at, { vacuum_micron: glitchAt.get(at) ?? shown }))
      }
      return out
    },
  }
}
