import { describe, expect, it } from 'vitest'
import { CHANNELS, isChannelName } from '../../contract/channels.js'
import { SampleSchema, ValueSchema } from '../../contract/telemetry.js'
import { convertToCanonical } from '../../contract/units.js'
import { ALL_STEP_IDS, STEP_IDS } from '../../contract/job.js'
import { GARBAGE_KINDS, MINUTE_MS, PRE_ROLL_MS, scenarioDurationMs, type VerdictStepId } from '../../firmware-sim/scenario.js'
import { getScenario, scenarioNames, UnknownScenarioError } from '../../firmware-sim/scenarios/index.js'
import { channel, COMMISSIONINGS, longestRunMs, markers, maxGapMs, points, publishes, START, TEST_RUN_STOP_MINUTES, timeline, window } from './timeline-helpers.js'

const RUN_START = START + PRE_ROLL_MS

describe('buildTimeline: every scenario', () => {
  it('knows the required scenarios, with their expected verdicts', () => {
    expect(scenarioNames()).toEqual(expect.arrayContaining([...Object.keys(TEST_RUN_STOP_MINUTES), ...COMMISSIONINGS]))
    // The test run alone: the other steps never start, so a good run leaves the job incomplete.
    expect(Object.fromEntries(Object.keys(TEST_RUN_STOP_MINUTES).map((n) => [n, getScenario(n).expected]))).toEqual({
      good: { verdict: 'incomplete', steps: { test_run: 'pass' } },
      'short-run': { verdict: 'fail', steps: { test_run: 'fail' } },
      gap: { verdict: 'fail', steps: { test_run: 'fail' } },
      overcurrent: { verdict: 'fail', steps: { test_run: 'fail' } },
      garbage: { verdict: 'incomplete', steps: { test_run: 'pass' } },
    })
    expect(Object.fromEntries(COMMISSIONINGS.map((n) => [n, getScenario(n).expected.verdict]))).toEqual({
      commissioning: 'pass',
      'tightness-leak': 'fail',
      'leak-hidden-by-warming': 'fail',
      'evacuation-wet': 'fail',
      'evacuation-leak': 'fail',
      'bad-insulation': 'fail',
      'no-earth': 'fail',
      'wrong-model': 'fail',
      'uncalibrated-meter': 'fail',
    })
    // A commissioning names every step the pack checks; a fault scenario names what fails.
    for (const n of COMMISSIONINGS) {
      const e = getScenario(n).expected
      expect(Object.keys(e.steps)).toEqual([...STEP_IDS, 'installation_record'])
      if (e.verdict === 'fail') expect(e.failedChecks?.length).toBeGreaterThan(0)
      for (const ref of e.failedChecks ?? []) expect(e.steps[ref.split('.')[0] as VerdictStepId]).toBe('fail')
    }
    expect(() => getScenario('nope')).toThrow(UnknownScenarioError)
    expect(() => getScenario('nope')).toThrow(/good, short-run, gap, overcurrent, garbage, commissioning/)
  })

  it.each(scenarioNames())('%s is deterministic for a seed', (name) => {
    expect(timeline(name, 42)).toEqual(timeline(name, 42))
    const a = timeline(name, 1)
    const b = timeline(name, 2)
    expect(b.map((e) => e.at)).toEqual(a.map((e) => e.at)) // same schedule...
    // ...other noise (a scenario of record declarations alone publishes nothing).
    if (publishes(a).length > 0) expect(publishes(b).map((e) => e.payload)).not.toEqual(publishes(a).map((e) => e.payload))
  })

  it.each(scenarioNames())('%s: ordered, within [start, start + duration], each step started then stopped, in procedure order', (name) => {
    const scenario = getScenario(name)
    const tl = timeline(name)
    const end = START + scenarioDurationMs(scenario)
    for (let i = 1; i < tl.length; i++) expect(tl[i]!.at).toBeGreaterThanOrEqual(tl[i - 1]!.at)
    for (const e of tl) {
      expect(e.at).toBeGreaterThanOrEqual(START)
      expect(e.at).toBeLessThanOrEqual(end)
    }
    const ms = markers(tl)
    expect(ms.map((m) => m.action)).toEqual(ms.map((_, i) => (i % 2 === 0 ? 'start' : 'stop')))
    const steps = ms.filter((m) => m.action === 'start').map((m) => m.step)
    // Procedure order; a retested step repeats in place (retest-keeps-failure).
    const order = steps.map((s) => ALL_STEP_IDS.indexOf(s))
    for (let i = 1; i < order.length; i++) expect(order[i]!).toBeGreaterThanOrEqual(order[i - 1]!)
    for (let i = 0; i < ms.length; i += 2) expect(ms[i + 1]!.step).toBe(ms[i]!.step)
    for (const p of points(tl)) {
      expect(p.ts).toBeGreaterThanOrEqual(START)
      expect(p.ts).toBeLessThanOrEqual(end)
    }
  })

  it.each(Object.entries(TEST_RUN_STOP_MINUTES))('%s: the test run alone, its markers at their minutes', (name, stopAtMinutes) => {
    expect(markers(timeline(name))).toEqual([
      { at: RUN_START, kind: 'marker', step: 'test_run', action: 'start' },
      { at: RUN_START + stopAtMinutes * MINUTE_MS, kind: 'marker', step: 'test_run', action: 'stop' },
    ])
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
