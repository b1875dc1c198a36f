/**
 * Scenario → the ordered events run.ts plays: device publishes (serialized exactly as
 * sent) and the test_run start/stop markers. Pure and deterministic for a given seed.
 */
import type { Sample } from '../gateway/contract/telemetry.js'
import type { Rng } from './prng.js'
import {
  MINUTE_MS,
  PRE_ROLL_MS,
  scenarioDurationMs,
  type DeviceRole,
  type Measurement,
  type PublishEvent,
  type Scenario,
  type TimelineEvent,
} from './scenario.js'

/** Builds the timeline of `scenario` starting (unit switched on) at device time `startTs`. */
export function buildTimeline(scenario: Scenario, startTs: number, rng: Rng): TimelineEvent[] {
  const runStartTs = startTs + PRE_ROLL_MS
  const endTs = startTs + scenarioDurationMs(scenario)
  const events = scenario.samples({ startTs, runStartTs, rng })

  const roles = new Set(scenario.devices.map((d) => d.role))
  for (const e of events) {
    if (!roles.has(e.deviceRole)) throw new Error(`scenario ${scenario.name}: no device with role "${e.deviceRole}"`)
    if (!Number.isInteger(e.at) || e.at < startTs || e.at > endTs) {
      throw new Error(`scenario ${scenario.name}: event at ${e.at} is outside the timeline ${startTs}..${endTs}`)
    }
  }

  const out: TimelineEvent[] = [
    { at: runStartTs, kind: 'marker', step: 'test_run', action: 'start' },
    { at: runStartTs + scenario.stopAtMinutes * MINUTE_MS, kind: 'marker', step: 'test_run', action: 'stop' },
  ]
  for (const device of scenario.devices) {
    const measurements = events
      .filter((e): e is Measurement => e.kind === 'measurement' && e.deviceRole === device.role)
      .sort((a, b) => a.at - b.at)
    out.push(...batchPublishes(device.role, measurements, device.batch))
  }
  for (const e of events) {
    if (e.kind === 'malformed') out.push({ at: e.at, kind: 'publish', deviceRole: e.deviceRole, payload: e.payload, garbage: e.garbage })
  }
  // Stable sort; at equal times the start marker goes first and the stop marker last, so a
  // reading taken at the very instant of either still falls inside the step's window.
  return out.sort((a, b) => a.at - b.at || rank(a) - rank(b))
}

function rank(e: TimelineEvent): number {
  if (e.kind === 'publish') return 1
  return e.action === 'start' ? 0 : 2
}

/**
 * Groups a device's measurements into publishes of `batch` samples, each with the device's
 * running `seq` (from 1). A batch is published when its last sample is taken: a device
 * cannot send a reading before it measured it.
 */
function batchPublishes(role: DeviceRole, measurements: readonly Measurement[], batch: number): PublishEvent[] {
  const size = Math.max(1, Math.floor(batch))
  const out: PublishEvent[] = []
  for (let i = 0; i < measurements.length; i += size) {
    const group = measurements.slice(i, i + size)
    const samples: Sample[] = group.map((m, j) => ({ ts: m.at, seq: i + j + 1, values: m.values }))
    const last = group[group.length - 1]
    if (!last) continue
    out.push({
      at: last.at,
      kind: 'publish',
      deviceRole: role,
      payload: JSON.stringify(size === 1 ? samples[0] : samples),
    })
  }
  return out
}
