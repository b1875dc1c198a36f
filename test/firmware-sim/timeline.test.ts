import { describe, expect, it } from 'vitest'
import { CHANNELS, isChannelName, type ChannelName } from '../../gateway/contract/channels.js'
import { SampleSchema, ValueSchema } from '../../gateway/contract/telemetry.js'
import { convertToCanonical } from '../../gateway/contract/units.js'
import { mulberry32 } from '../../firmware-sim/prng.js'
import {
  GARBAGE_KINDS,
  MINUTE_MS,
  PRE_ROLL_MS,
  scenarioDurationMs,
  type DeviceRole,
  type MarkerEvent,
  type PublishEvent,
  type TimelineEvent,
} from '../../firmware-sim/scenario.js'
import { getScenario, scenarioNames, UnknownScenarioError } from '../../firmware-sim/scenarios/index.js'
import { buildTimeline } from '../../firmware-sim/timeline.js'

const START = Date.UTC(2025, 5, 1, 6, 0, 0)
const RUN_START = START + PRE_ROLL_MS

interface Point {
  role: DeviceRole
  channel: ChannelName
  ts: number
  seq: number | undefined
  /** Canonical unit, converted exactly as the ingest does. */
  value: number
  raw: unknown
}

const timeline = (name: string, seed = 1) => buildTimeline(getScenario(name), START, mulberry32(seed))
const publishes = (tl: TimelineEvent[]) => tl.filter((e): e is PublishEvent => e.kind === 'publish')
const markers = (tl: TimelineEvent[]) => tl.filter((e): e is MarkerEvent => e.kind === 'marker')

/** Decodes the well-formed publishes into canonical readings; throws on anything invalid. */
function points(tl: TimelineEvent[]): Point[] {
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

const channel = (pts: Point[], ch: ChannelName, from = -Infinity, to = Infinity) =>
  pts.filter((p) => p.channel === ch && p.ts >= from && p.ts <= to).sort((a, b) => a.ts - b.ts)

function maxGapMs(pts: readonly Point[]): number {
  let max = 0
  for (let i = 1; i < pts.length; i++) max = Math.max(max, pts[i]!.ts - pts[i - 1]!.ts)
  return max
}

/** Longest stretch of running current (>= 0.5 A) with no gap over 60 s, as S1 is judged. */
function longestRunMs(pts: readonly Point[]): number {
  let best = 0
  let runStart: number | undefined
  let prev: number | undefined
  for (const p of pts) {
    if (p.value < 0.5 || (prev !== undefined && p.ts - prev > 60_000)) runStart = undefined
    if (p.value >= 0.5) {
      runStart ??= p.ts
      best = Math.max(best, p.ts - runStart)
    }
    prev = p.ts
  }
  return best
}

function window(tl: TimelineEvent[]): { start: number; stop: number } {
  const [start, stop] = markers(tl)
  if (start?.action !== 'start' || stop?.action !== 'stop') throw new Error('expected a start then a stop marker')
  return { start: start.at, stop: stop.at }
}

describe('buildTimeline: every scenario', () => {
  it('knows the required scenarios, with their expected verdicts', () => {
    expect(scenarioNames()).toEqual(expect.arrayContaining(['good', 'short-run', 'gap', 'overcurrent', 'garbage']))
    expect(Object.fromEntries(scenarioNames().map((n) => [n, getScenario(n).expected]))).toMatchObject({
      good: 'pass',
      'short-run': 'fail',
      gap: 'fail',
      overcurrent: 'fail',
      garbage: 'pass',
    })
    expect(() => getScenario('nope')).toThrow(UnknownScenarioError)
    expect(() => getScenario('nope')).toThrow(/good, short-run, gap, overcurrent, garbage/)
  })

  it.each(scenarioNames())('%s is deterministic for a seed', (name) => {
    expect(timeline(name, 42)).toEqual(timeline(name, 42))
    const a = timeline(name, 1)
    const b = timeline(name, 2)
    expect(b.map((e) => e.at)).toEqual(a.map((e) => e.at)) // same schedule...
    expect(publishes(b).map((e) => e.payload)).not.toEqual(publishes(a).map((e) => e.payload)) // ...other noise
  })

  it.each(scenarioNames())('%s: ordered, within [start, start + duration], markers at their minutes', (name) => {
    const scenario = getScenario(name)
    const tl = timeline(name)
    const end = START + scenarioDurationMs(scenario)
    for (let i = 1; i < tl.length; i++) expect(tl[i]!.at).toBeGreaterThanOrEqual(tl[i - 1]!.at)
    for (const e of tl) {
      expect(e.at).toBeGreaterThanOrEqual(START)
      expect(e.at).toBeLessThanOrEqual(end)
    }
    expect(markers(tl)).toEqual([
      { at: RUN_START, kind: 'marker', step: 'test_run', action: 'start' },
      { at: RUN_START + scenario.stopAtMinutes * MINUTE_MS, kind: 'marker', step: 'test_run', action: 'stop' },
    ])
    for (const p of points(tl)) {
      expect(p.ts).toBeGreaterThanOrEqual(START)
      expect(p.ts).toBeLessThanOrEqual(end)
    }
  })

  it.each(scenarioNames())('%s: good payloads match the contract, in range, seq rising per device, never sent early', (name) => {
    const tl = timeline(name)
    const pts = points(tl) // throws on any schema, channel or unit violation
    for (const p of pts) {
      const spec = CHANNELS[p.channel]
      expect(p.value).toBeGreaterThanOrEqual(spec.min)
      expect(p.value).toBeLessThanOrEqual(spec.max)
    }
    const roles = new Set(pts.map((p) => p.role))
    for (const role of roles) {
      const seqs = [...new Set(pts.filter((p) => p.role === role).map((p) => p.seq))]
      expect(seqs.every((s) => s !== undefined)).toBe(true)
      expect(seqs).toEqual([...seqs].sort((a, b) => (a ?? 0) - (b ?? 0)))
    }
    for (const p of publishes(tl).filter((e) => !e.garbage)) {
      const json: unknown = JSON.parse(p.payload)
      for (const s of Array.isArray(json) ? json : [json]) expect(SampleSchema.parse(s).ts).toBeLessThanOrEqual(p.at)
    }
  })

  it.each(scenarioNames())('%s: each device publishes only its own channels', (name) => {
    const scenario = getScenario(name)
    const pts = points(timeline(name))
    for (const d of scenario.devices) {
      expect(new Set(pts.filter((p) => p.role === d.role).map((p) => p.channel))).toEqual(new Set(d.channels))
    }
  })
})

describe('good', () => {
  const tl = timeline('good')
  const pts = points(tl)
  const { start, stop } = window(tl)

  it('has >= 30 min of current readings between the markers, no gap over 60 s', () => {
    const current = channel(pts, 'current_a', start, stop)
    expect(current.at(-1)!.ts - current[0]!.ts).toBeGreaterThanOrEqual(30 * MINUTE_MS)
    expect(maxGapMs(current)).toBeLessThanOrEqual(60_000)
    expect(current[0]!.ts - start).toBeLessThanOrEqual(5_000)
    expect(stop - current.at(-1)!.ts).toBeLessThanOrEqual(5_000)
    expect(longestRunMs(current)).toBeGreaterThanOrEqual(30 * MINUTE_MS)
  })

  it('reads like a healthy R32 unit during the test run', () => {
    const rated = getScenario('good').unit.ratedCurrentA
    for (const p of channel(pts, 'current_a', start, stop)) {
      expect(Math.abs(p.value - 5.2)).toBeLessThanOrEqual(0.2)
      expect(p.value).toBeLessThan(rated)
    }
    const low = channel(pts, 'pressure_low_kpag', start, stop).map((p) => p.value)
    const high = channel(pts, 'pressure_high_kpag', start, stop).map((p) => p.value)
    expect(Math.min(...low)).toBeGreaterThanOrEqual(850)
    expect(Math.max(...low)).toBeLessThanOrEqual(950)
    expect(Math.min(...high)).toBeGreaterThanOrEqual(2400)
    expect(Math.max(...high)).toBeLessThanOrEqual(2700)
    const settled = start + 10 * MINUTE_MS
    for (const p of channel(pts, 'temp_supply_air_c', settled, stop)) expect(Math.abs(p.value - 13)).toBeLessThanOrEqual(1)
    for (const p of channel(pts, 'temp_return_air_c', settled, stop)) expect(Math.abs(p.value - 26)).toBeLessThanOrEqual(1)
  })

  it('sends the manifold pressures in psig with the unit stated', () => {
    const pressures = pts.filter((p) => p.channel.startsWith('pressure_'))
    expect(pressures.length).toBeGreaterThan(0)
    for (const p of pressures) expect(p.raw).toMatchObject({ unit: 'psig', value: expect.any(Number) })
  })

  it('samples every 5 s per device and sends buffered arrays from the unit', () => {
    for (const role of ['clamp', 'manifold', 'unit'] as const) {
      const ts = [...new Set(pts.filter((p) => p.role === role).map((p) => p.ts))]
      for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBe(5_000)
    }
    expect(publishes(tl).filter((p) => p.deviceRole === 'unit').every((p) => p.payload.startsWith('['))).toBe(true)
  })
})

describe('short-run', () => {
  it('stops at 25 minutes, so no 30-minute run exists', () => {
    const tl = timeline('short-run')
    const { start, stop } = window(tl)
    expect(stop - start).toBe(25 * MINUTE_MS)
    expect(longestRunMs(channel(points(tl), 'current_a', start, stop))).toBeLessThan(30 * MINUTE_MS)
  })
})

describe('gap', () => {
  const tl = timeline('gap')
  const { start, stop } = window(tl)
  const current = channel(points(tl), 'current_a', start, stop)

  it('has a 4-minute hole in current_a from minute 14 to 18', () => {
    expect(stop - start).toBe(34 * MINUTE_MS)
    expect(current.filter((p) => p.ts >= start + 14 * MINUTE_MS && p.ts < start + 18 * MINUTE_MS)).toEqual([])
    expect(maxGapMs(current)).toBeGreaterThanOrEqual(4 * MINUTE_MS)
    expect(maxGapMs(current)).toBeLessThan(4 * MINUTE_MS + 10_000)
  })

  it('leaves ~16 minutes as the longest continuous run', () => {
    const longest = longestRunMs(current)
    expect(longest).toBeLessThan(30 * MINUTE_MS)
    expect(Math.abs(longest - 16 * MINUTE_MS)).toBeLessThanOrEqual(10_000)
  })

  it('keeps the other devices reporting through the hole', () => {
    const pressures = channel(points(tl), 'pressure_low_kpag', start, stop)
    expect(maxGapMs(pressures)).toBe(5_000)
  })
})

describe('overcurrent', () => {
  it('stays under rated until minute 5, then runs at ~1.3x rated from minute 7', () => {
    const tl = timeline('overcurrent')
    const { start, stop } = window(tl)
    const rated = getScenario('overcurrent').unit.ratedCurrentA
    const current = channel(points(tl), 'current_a', start, stop)
    for (const p of current.filter((p) => p.ts < start + 5 * MINUTE_MS)) expect(p.value).toBeLessThan(rated)
    for (const p of current.filter((p) => p.ts >= start + 7 * MINUTE_MS)) expect(Math.abs(p.value / rated - 1.3)).toBeLessThan(0.03)
  })
})

describe('garbage', () => {
  const tl = timeline('garbage')
  const bad = publishes(tl).filter((p) => p.garbage)
  const payloadOf = (kind: string) => {
    const found = bad.filter((p) => p.garbage === kind)
    expect(found).toHaveLength(1)
    return found[0]!.payload
  }
  const sampleOf = (kind: string) => SampleSchema.parse(JSON.parse(payloadOf(kind)))

  it('contains each malformed kind once, inside the test run', () => {
    expect(bad.map((p) => p.garbage).sort()).toEqual([...GARBAGE_KINDS].sort())
    const { start, stop } = window(tl)
    for (const p of bad) expect(p.at > start && p.at < stop).toBe(true)
  })

  it('makes each malformed message wrong in the way it claims', () => {
    expect(() => JSON.parse(payloadOf('not-json'))).toThrow(SyntaxError)
    expect(SampleSchema.safeParse(JSON.parse(payloadOf('wrong-shape'))).success).toBe(false)
    expect(Object.keys(sampleOf('unknown-channel').values).some((k) => !isChannelName(k))).toBe(true)
    expect(sampleOf('nan-string').values).toEqual({ current_a: 'NaN' })
    expect(ValueSchema.safeParse('NaN').success).toBe(false)
    const absurd = sampleOf('absurd-value').values['current_a']
    expect(typeof absurd === 'number' && absurd > CHANNELS.current_a.max).toBe(true)
    const future = bad.find((p) => p.garbage === 'future-ts')!
    expect(sampleOf('future-ts').ts - future.at).toBe(24 * 60 * MINUTE_MS)
    const unit = ValueSchema.parse(sampleOf('unknown-unit').values['pressure_low_kpag'])
    expect(typeof unit === 'object' && convertToCanonical('pressure_gauge', unit.value, unit.unit)).toBe(undefined)
  })

  it('carries exactly the good run besides the malformed messages', () => {
    const good = publishes(timeline('good'))
    expect(publishes(tl).filter((p) => !p.garbage)).toEqual(good)
    expect(markers(tl)).toEqual(markers(timeline('good')))
  })

  it('never sends seq on a malformed message, so no good seq is claimed', () => {
    for (const p of bad.filter((p) => p.garbage !== 'not-json')) expect(p.payload).not.toContain('"seq"')
  })
})
