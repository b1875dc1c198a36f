/**
 * Scenario → the ordered events run.ts plays: device publishes (serialized exactly as
 * sent), attribute declarations, step start/stop markers and installation-record
 * declarations. Pure and deterministic for a given seed.
 */
import type { Sample } from '../contract/telemetry.js'
import type { Rng } from './prng.js'
import type { DeviceRole, Measurement, PublishEvent, Scenario, ScenarioScript, TimelineEvent } from './scenario.js'

/**
 * A device's buffer is flushed when it stops sampling: a batch never waits across a pause
 * longer than this for its next sample (firmware flushes on idle, not only on a full buffer).
 */
const FLUSH_IDLE_MS = 60_000

/** Builds the timeline of `scenario` starting (first device switched on) at device time `startTs`. */
export function buildTimeline(scenario: Scenario, startTs: number, rng: Rng): TimelineEvent[] {
  const script = scenario.script({ startTs, rng })
  validate(scenario, script, startTs, startTs + scenario.durationMs)

  const out: TimelineEvent[] = []
  for (const w of script.steps) {
    out.push({ at: w.start, kind: 'marker', step: w.step, action: 'start', ...(w.facts ? { facts: w.facts } : {}) })
    out.push({ at: w.stop, kind: 'marker', step: w.step, action: 'stop' })
    for (const e of w.events ?? []) out.push({ at: e.at, kind: 'step-event', step: w.step, action: e.action })
  }
  for (const device of scenario.devices) {
    const measurements = script.samples
      .filter((e): e is Measurement => e.kind === 'measurement' && e.deviceRole === device.role)
      .sort((a, b) => a.at - b.at)
    for (const p of batchPublishes(device.role, measurements, device.batch)) out.push(p)
  }
  for (const e of script.samples) {
    if (e.kind === 'malformed') out.push({ at: e.at, kind: 'publish', deviceRole: e.deviceRole, payload: e.payload, garbage: e.garbage })
  }
  for (const a of script.attributes) out.push({ at: a.at, kind: 'attributes', deviceRole: a.deviceRole, payload: JSON.stringify(a.attributes) })
  for (const r of script.record) out.push({ at: r.at, kind: 'record', fields: r.fields })
  if (script.confirmAt !== undefined) out.push({ at: script.confirmAt, kind: 'confirm' })
  // Stable sort; at equal times a start marker goes first and a stop marker last, so a
  // reading taken at the very instant of either still falls inside the step's window.
  return out.sort((a, b) => a.at - b.at || rank(a) - rank(b))
}

function validate(scenario: Scenario, script: ScenarioScript, startTs: number, endTs: number): void {
  const fail = (what: string) => {
    throw new Error(`scenario ${scenario.name}: ${what}`)
  }
  const inside = (at: number, what: string) => {
    if (!Number.isInteger(at) || at < startTs || at > endTs) fail(`${what} at ${at} is outside the timeline ${startTs}..${endTs}`)
  }
  const roles = new Set(scenario.devices.map((d) => d.role))
  for (const e of [...script.samples, ...script.attributes]) {
    if (!roles.has(e.deviceRole)) fail(`no device with role "${e.deviceRole}"`)
    inside(e.at, `${e.deviceRole} event`)
  }
  for (const r of script.record) inside(r.at, 'record declaration')
  if (script.confirmAt !== undefined) inside(script.confirmAt, 'work order confirmation')
  let previousStop = -Infinity
  for (const w of script.steps) {
    inside(w.start, `${w.step} start`)
    inside(w.stop, `${w.step} stop`)
    if (w.stop < w.start) fail(`${w.step} stops before it starts`)
    // The gateway judges a step on its latest start: overlapping windows would mix their readings.
    if (w.start <= previousStop) fail(`${w.step} starts before the previous step stopped`)
    for (const e of w.events ?? []) if (e.at < w.start || e.at > w.stop) fail(`${w.step} ${e.action} at ${e.at} is outside its window`)
    previousStop = w.stop
  }
}

function rank(e: TimelineEvent): number {
  // A confirmation at the instant of a declaration comes after it: upload, then confirm.
  if (e.kind === 'confirm') return 3
  if (e.kind !== 'marker') return 1
  return e.action === 'start' ? 0 : 2
}

/**
 * Groups a device's measurements into publishes of up to `batch` samples, each with the
 * device's running `seq` (from 1). A batch is published when its last sample is taken (a
 * device cannot send a reading before it measured it), or earlier when the device stops
 * sampling for a while.
 */
function batchPublishes(role: DeviceRole, measurements: readonly Measurement[], batch: number): PublishEvent[] {
  const size = Math.max(1, Math.floor(batch))
  const out: PublishEvent[] = []
  let group: Sample[] = []
  const flush = (at: number) => {
    if (group.length === 0) return
    out.push({ at, kind: 'publish', deviceRole: role, payload: JSON.stringify(size === 1 ? group[0] : group) })
    group = []
  }
  measurements.forEach((m, i) => {
    group.push({ ts: m.at, seq: i + 1, values: m.values })
    const next = measurements[i + 1]
    if (group.length === size || !next || next.at - m.at > FLUSH_IDLE_MS) flush(m.at)
  })
  return out
}
