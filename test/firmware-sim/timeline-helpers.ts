/** Shared by the firmware-sim timeline tests: building a scenario's timeline and decoding it as the gateway would. */
import { expect } from 'vitest'
import { CHANNELS, isChannelName, type ChannelName } from '../../contract/channels.js'
import { SampleSchema, ValueSchema } from '../../contract/telemetry.js'
import { convertToCanonical } from '../../contract/units.js'
import { mulberry32 } from '../../firmware-sim/prng.js'
import type { AttributesEvent, DeviceRole, MarkerEvent, PublishEvent, RecordEvent, TimelineEvent } from '../../firmware-sim/scenario.js'
import { getScenario } from '../../firmware-sim/scenarios/index.js'
import { buildTimeline } from '../../firmware-sim/timeline.js'

export const START = Date.UTC(2025, 5, 1, 6, 0, 0)

/** The scenarios of the test run alone, with the minute the technician stops it. */
export const TEST_RUN_STOP_MINUTES: Record<string, number> = { good: 31, 'short-run': 25, gap: 34, overcurrent: 31, garbage: 31 }
/** The whole commissionings. */
export const COMMISSIONINGS = [
  'commissioning',
  'tightness-leak',
  'leak-hidden-by-warming',
  'evacuation-wet',
  'evacuation-leak',
  'bad-insulation',
  'no-earth',
  'wrong-model',
  'uncalibrated-meter',
]

export interface Point {
  role: DeviceRole
  channel: ChannelName
  ts: number
  seq: number | undefined
  /** Canonical unit, converted exactly as the ingest does. */
  value: number
  raw: unknown
}

export const timeline = (name: string, seed = 1) => buildTimeline(getScenario(name), START, mulberry32(seed))
export const publishes = (tl: TimelineEvent[]) => tl.filter((e): e is PublishEvent => e.kind === 'publish')
export const markers = (tl: TimelineEvent[]) => tl.filter((e): e is MarkerEvent => e.kind === 'marker')
export const attributeEvents = (tl: TimelineEvent[]) => tl.filter((e): e is AttributesEvent => e.kind === 'attributes')
export const recordEvents = (tl: TimelineEvent[]) => tl.filter((e): e is RecordEvent => e.kind === 'record')

/** Decodes the well-formed publishes into canonical readings; throws on anything invalid. */
export function points(tl: TimelineEvent[]): Point[] {
  const out: Point[] = []
  for (const p of publishes(tl)) {
    if (p.garbage) continue
    const json: unknown = JSON.parse(p.payload)
    const samples = Array.isArray(json) ? json : [json]
    expect(samples.length).toBeGreaterThan(0)
    for (const item of samples) {
      const sample = SampleSchema.parse(item)
      for (const [channel, raw] of Object.entries(sample.values)) {
        if (!isChannelName(channel)) throw new Error(`unknown channel ${channel} in ${p.payload}`)
        const v = ValueSchema.parse(raw)
        const spec = CHANNELS[channel]
        const value = typeof v === 'number' ? v : convertToCanonical(spec.quantity, v.value, v.unit)
        if (value === undefined) throw new Error(`unit not accepted: ${JSON.stringify(raw)}`)
        out.push({ role: p.deviceRole, channel, ts: sample.ts, seq: sample.seq, value, raw })
      }
    }
  }
  return out
}

export const channel = (pts: Point[], ch: ChannelName, from = -Infinity, to = Infinity) =>
  pts.filter((p) => p.channel === ch && p.ts >= from && p.ts <= to).sort((a, b) => a.ts - b.ts)

export function maxGapMs(pts: readonly Point[]): number {
  let max = 0
  for (let i = 1; i < pts.length; i++) max = Math.max(max, pts[i]!.ts - pts[i - 1]!.ts)
  return max
}

/** Longest stretch of current >= minA with no gap over maxGapMs (S1 is judged with 0.5 A and 60 s). */
export function longestRunMs(pts: readonly Point[], minA = 0.5, maxGap = 60_000): number {
  let best = 0
  let runStart: number | undefined
  let prev: number | undefined
  for (const p of pts) {
    if (p.value < minA || (prev !== undefined && p.ts - prev > maxGap)) runStart = undefined
    if (p.value >= minA) {
      runStart ??= p.ts
      best = Math.max(best, p.ts - runStart)
    }
    prev = p.ts
  }
  return best
}

/** The window of `step`: its start and stop markers. */
export function window(tl: TimelineEvent[], step = 'test_run'): { start: number; stop: number } {
  const [start, stop] = markers(tl).filter((m) => m.step === step)
  if (start?.action !== 'start' || stop?.action !== 'stop') throw new Error(`expected a ${step} start then a stop marker`)
  return { start: start.at, stop: stop.at }
}
