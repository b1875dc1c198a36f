/**
 * In-service telemetry of the commissioned units for the fleet dashboard: one reading
 * every 30 minutes for `days`, the unit cooling from 08:00 to 22:00 and idle at night
 * (operating point of firmware-sim's cooling run). One unit slowly loses refrigerant:
 * its low-side pressure and current sink month by month, the trend the long-term panel is
 * for. Then the hourly roll-up runs over it with the forwarder's own SELECT ... INTO.
 */
import { mulberry32, noise, quantize, type Rng } from '../../firmware-sim/prng.js'
import { DATABASE } from '../../dashboards/influx-schema.js'
import { downsampleSelect } from '../../gateway/sinks/influx/influx-schema.js'
import type { InfluxFixture } from './influx-fixture.js'
import type { Point, SchemaWriter } from './influx-writer.js'

const HOUR = 3_600_000
const STEP = 60 * 60_000

function reading(rng: Rng, running: boolean, lossFraction: number, outdoorC: number): Point<'telemetry'>['fields'] {
  const low = running ? 900 * (1 - lossFraction) : 1800
  const high = running ? 2550 * (1 - 0.5 * lossFraction) : 1800
  const current = running ? 5.2 * (1 - 0.6 * lossFraction) : 0.3
  const r = (v: number, bound: number, step: number) => quantize(v + noise(rng, bound), step)
  return {
    current_a: r(current, 0.15, 0.01),
    voltage_v: r(230 - 0.4 * current, 1.5, 0.1),
    leakage_ma: r(0.2, 0.05, 0.01),
    pressure_low_kpag: r(low, 10, 0.1),
    pressure_high_kpag: r(high, 20, 0.1),
    temp_suction_c: r(running ? 12 + 10 * lossFraction : outdoorC, 0.2, 0.1),
    temp_liquid_c: r(running ? 37 : outdoorC, 0.2, 0.1),
    temp_supply_air_c: r(running ? 13.2 + 6 * lossFraction : 26, 0.15, 0.1),
    temp_return_air_c: r(running ? 25 : 27, 0.15, 0.1),
    temp_outdoor_c: r(outdoorC, 0.2, 0.1),
    lag_s: quantize(0.3 + Math.abs(noise(rng, 0.5)), 0.01),
  }
}

export interface InService {
  deviceId: string
  fromTs: number
  /** Fraction of charge lost by the end, 0 for a healthy unit. */
  lossByEnd: number
}

export function inServicePoints(units: readonly InService[], days: number): Point<'telemetry'>[] {
  const out: Point<'telemetry'>[] = []
  for (const [i, u] of units.entries()) {
    const rng = mulberry32(100 + i)
    const total = days * 24 * HOUR
    for (let t = 0; t < total; t += STEP) {
      const ts = u.fromTs + t
      const hourOfDay = new Date(ts).getUTCHours()
      const outdoorC = 27 + 6 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI)
      const running = hourOfDay >= 8 && hourOfDay < 22
      out.push({ tags: { device_id: u.deviceId }, fields: reading(rng, running, (u.lossByEnd * t) / total, outdoorC), ts })
    }
  }
  return out
}

/** Writes the units' telemetry and rolls it up hourly into long_term.telemetry_1h. */
export async function fillInService(influx: InfluxFixture, writer: SchemaWriter, units: readonly InService[], days: number): Promise<void> {
  const points = inServicePoints(units, days)
  await writer.write('telemetry', points)
  const from = Math.min(...points.map((p) => p.ts))
  const to = Math.max(...points.map((p) => p.ts)) + HOUR
  const res = await influx.query(downsampleSelect(DATABASE, `time >= ${from}ms AND time < ${to}ms`), 'hvac')
  const err = res.error ?? res.results.find((r) => r.error)?.error
  if (err) throw new Error(`downsampling failed: ${err}`)
}
