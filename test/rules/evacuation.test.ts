import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../gateway/contract/channels.js'
import type { Reading } from '../../gateway/contract/reading.js'
import type { CheckResult, StepResult } from '../../rules/result.js'
import { EvacuationParamsSchema, evaluateEvacuation, type EvacuationParams } from '../../rules/steps/evacuation.js'
import { readingPath } from './reading-path.js'

// The split-ac pack's values, spelt out so these cases do not move when the pack does.
const SPLIT: EvacuationParams = {
  targetMicron: { value: 500, source: 'test' },
  decayMaxMicron: { value: 500, source: 'test' },
  decayTestS: { value: 1200, source: 'test' },
}
const T0 = Date.UTC(2025, 5, 2, 9, 0, 0)
const at = (s: number) => T0 + s * 1000

function path(points: [number, number][], opts: { channel?: ChannelName; deviceId?: string; stepS?: number } = {}): Reading[] {
  return readingPath(points, { t0: T0, channel: opts.channel ?? 'vacuum_micron', deviceId: opts.deviceId ?? 'probe-1', stepS: opts.stepS ?? 10 })
}
/** From atmosphere to `low` microns in 10 minutes. */
const PUMP_DOWN = (low: number): [number, number][] => [[0, 760_000], [60, 50_000], [180, 5_000], [400, 1_000], [600, low]]

function run(readings: Reading[], opts: { stopS?: number; nowS?: number; params?: Partial<EvacuationParams> } = {}): StepResult {
  const byChannel: Partial<Record<ChannelName, Reading[]>> = {}
  for (const r of readings) (byChannel[r.channel] ??= []).push(r)
  return evaluateEvacuation({
    params: { ...SPLIT, ...opts.params },
    window: opts.stopS === undefined ? { start: at(0) } : { start: at(0), stop: at(opts.stopS) },
    now: at(opts.nowS ?? opts.stopS ?? 0),
    facts: {},
    readings: byChannel,
  })
}
function check(step: StepResult, id: string): CheckResult {
  const c = step.checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${id}`)
  return c
}

describe('evacuation: stopped steps', () => {
  const cases: { name: string; readings: Reading[]; stopS: number; step: 'pass' | 'fail'; reached: RegExp; decay: { status: 'pass' | 'fail' | 'pending'; severity?: 'major' | 'critical'; message: RegExp } }[] = [
    {
      name: 'clean: 300 microns, rises to 380 and holds',
      readings: path([...PUMP_DOWN(300), [1200, 360], [1800, 380]]),
      stopS: 1800,
      step: 'pass',
      reached: /^reached 300 microns at 10:00, target <= 500 microns$/,
      decay: { status: 'pass', message: /^stayed at or below 500 microns for 20:00 after isolation at 300 microns \(10:00\): highest 380 microns$/ },
    },
    {
      name: 'never reached the target',
      readings: path([...PUMP_DOWN(800), [1800, 820]]),
      stopS: 1800,
      step: 'fail',
      reached: /^lowest 800 microns, above the target <= 500 microns$/,
      decay: { status: 'pending', message: /^no decay test: the target 500 microns was never reached$/ },
    },
    {
      name: 'wet: the rise levels off above the limit',
      readings: path([...PUMP_DOWN(400), [900, 1300], [1200, 1450], [1800, 1500]]),
      stopS: 1800,
      step: 'fail',
      reached: /^reached 400 microns/,
      decay: { status: 'fail', severity: 'major', message: /^rose from 400 to 1500 microns within 20:00 of isolation \(limit 500 microns\) and levelled off \(\+1050 in the first half, \+50 in the second\): moisture, keep evacuating$/ },
    },
    {
      name: 'leak: a steady climb',
      readings: path([...PUMP_DOWN(350), [1800, 2250]]),
      stopS: 1800,
      step: 'fail',
      reached: /^reached 350 microns/,
      decay: { status: 'fail', severity: 'critical', message: /^rose from 350 to 2250 microns within 20:00 of isolation \(limit 500 microns\) and kept climbing at a steady 95 microns\/min \(\+950 in the first half, \+950 in the second\): a leak$/ },
    },
    {
      name: 'pump never isolated: still falling at the end',
      readings: path([...PUMP_DOWN(450), [1800, 200]]),
      stopS: 1800,
      step: 'fail',
      reached: /^reached 200 microns at 30:00/,
      decay: { status: 'fail', severity: 'major', message: /^no decay test: the level was at its lowest at the last reading \(pump not isolated\); isolate and watch for 20:00$/ },
    },
    {
      name: 'decay test too short',
      readings: path([...PUMP_DOWN(300), [900, 330]]),
      stopS: 900,
      step: 'fail',
      reached: /^reached 300 microns/,
      decay: { status: 'fail', severity: 'major', message: /^decay test lasted 5:00 of the required 20:00 after isolation at 300 microns \(10:00\)$/ },
    },
    {
      name: 'triple evacuation: the deepest pull was broken with nitrogen; the last pump-down is judged',
      readings: path([...PUMP_DOWN(300), [610, 300], [640, 760_000], [700, 20_000], [1000, 450], [2200, 480]]),
      stopS: 2200,
      step: 'pass',
      reached: /^reached 450 microns at 16:40, target <= 500 microns \(pump-down after the vacuum was broken at 10:20\)$/,
      decay: { status: 'pass', message: /^stayed at or below 500 microns for 20:00 after isolation at 450 microns/ },
    },
    {
      name: 'vacuum broken after a complete decay test, before the stop marker',
      readings: path([...PUMP_DOWN(300), [1800, 380], [1830, 760_000], [1900, 760_000]]),
      stopS: 1900,
      step: 'pass',
      reached: /^reached 300 microns at 10:00/,
      decay: { status: 'pass', message: /for 20:00 after isolation at 300 microns/ },
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run(c.readings, { stopS: c.stopS })
      expect(step.id).toBe('evacuation')
      expect(step.status).toBe(c.step)
      expect(check(step, 'vacuum_reached').message).toMatch(c.reached)
      const d = check(step, 'decay')
      expect(d.status).toBe(c.decay.status)
      expect(d.severity).toBe(c.decay.severity)
      expect(d.message).toMatch(c.decay.message)
      expect(d.limit).toBe(500)
      expect(d.unit).toBe('micron')
      expect(check(step, 'gauge_evidence').status).toBe('pass')
      for (const x of step.checks) expect(x.evidence?.length).toBeGreaterThan(0)
    })
  }

  it('a clean pass lists the pump-down and the decay test as evidence', () => {
    const step = run(path([...PUMP_DOWN(300), [1200, 360], [1800, 380]]), { stopS: 1800 })
    expect(check(step, 'vacuum_reached')).toMatchObject({ measured: 300, limit: 500, evidence: [{ channel: 'vacuum_micron', from: at(0), to: at(600) }] })
    expect(check(step, 'decay')).toMatchObject({ measured: 380, evidence: [{ channel: 'vacuum_micron', from: at(600), to: at(1800) }] })
  })

  it('only the first decayTestS after isolation is judged (a 1-hour VRF test)', () => {
    const readings = path([...PUMP_DOWN(300), [4200, 480], [5400, 900]])
    expect(check(run(readings, { stopS: 5400, params: { decayTestS: { value: 3600, source: 'VRF' } } }), 'decay').status).toBe('pass')
    expect(check(run(readings, { stopS: 5400, params: { decayTestS: { value: 4200, source: 'longer' } } }), 'decay').status).toBe('fail')
  })

  it('with two probes the worse one is judged', () => {
    const nearPump = path([...PUMP_DOWN(200), [1800, 250]], { deviceId: 'probe-a' })
    const farEnd = path([...PUMP_DOWN(450), [1800, 700]], { deviceId: 'probe-b' })
    const step = run([...nearPump, ...farEnd], { stopS: 1800 })
    expect(check(step, 'gauge_evidence').message).toMatch(/\(probe-b, /)
    expect(check(step, 'decay').status).toBe('fail')
  })

  it('readings outside the window are ignored, and unsorted input changes nothing', () => {
    const inside = path([...PUMP_DOWN(300), [1800, 380]])
    const outside = [...path([[-600, 200], [-10, 200]]), ...path([[1810, 9000], [2400, 9000]])]
    const all = [...inside, ...outside]
    const scrambled = all.map((r, i) => ({ r, k: (i * 7919) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.r)
    expect(run(scrambled, { stopS: 1800 })).toEqual(run(inside, { stopS: 1800 }))
    expect(run(inside, { stopS: 1800 }).status).toBe('pass')
  })
})

describe('evacuation: gauge evidence (a compound gauge is not evidence)', () => {
  const compound = path([[0, 0], [300, -100], [1800, -100]], { channel: 'pressure_low_kpag', deviceId: 'manifold-1' })
  it('only a compound gauge fails once stopped', () => {
    const step = run(compound, { stopS: 1800 })
    const g = check(step, 'gauge_evidence')
    expect(g).toMatchObject({ status: 'fail', severity: 'major' })
    expect(g.message).toBe('only a compound gauge (lowest -100.0 kPa(g), -0.100 MPa): a compound gauge reading of -0.1 MPa cannot tell 5000 microns from 500; a micron probe (vacuum_micron) is needed')
    expect(g.evidence).toEqual([{ channel: 'pressure_low_kpag', from: at(0), to: at(1800) }])
    expect(check(step, 'vacuum_reached').message).toBe('no micron (vacuum_micron) readings between start and stop')
    expect(step.status).toBe('fail')
  })
  it('is pending while running: a probe may still be attached', () => {
    const step = run(compound, { nowS: 1800 })
    expect(check(step, 'gauge_evidence').status).toBe('pending')
    expect(step.status).toBe('in_progress')
  })
  it('a probe next to a compound gauge is evidence', () => {
    const step = run([...compound, ...path([...PUMP_DOWN(300), [1800, 380]])], { stopS: 1800 })
    expect(check(step, 'gauge_evidence').status).toBe('pass')
    expect(step.status).toBe('pass')
  })
})

describe('evacuation: still running', () => {
  const cases: { name: string; readings: Reading[]; nowS: number; id: string; status: 'pass' | 'pending'; message: RegExp }[] = [
    { name: 'no readings yet', readings: [], nowS: 30, id: 'vacuum_reached', status: 'pending', message: /^no micron readings yet$/ },
    { name: 'pumping down', readings: path(PUMP_DOWN(300)).filter((r) => r.ts <= at(300)), nowS: 300, id: 'vacuum_reached', status: 'pending', message: /^pumping down: now 2818 microns, lowest 2818 microns, target <= 500 microns$/ },
    { name: 'target reached passes while running', readings: path(PUMP_DOWN(300)), nowS: 600, id: 'vacuum_reached', status: 'pass', message: /^reached 300 microns at 10:00/ },
    { name: 'not yet isolated', readings: path(PUMP_DOWN(300)), nowS: 600, id: 'decay', status: 'pending', message: /^decay test 0:00 of 20:00: at the lowest level so far \(300 microns\); isolate the pump to start it$/ },
    { name: 'decay in progress', readings: path([...PUMP_DOWN(300), [900, 340]]), nowS: 905, id: 'decay', status: 'pending', message: /^decay test 5:00 of 20:00 since isolation at 300 microns \(10:00\): now 340 microns, limit 500 microns$/ },
    {
      name: 'a rise over the limit stays pending: pumping again restarts the test',
      readings: path([...PUMP_DOWN(350), [1200, 1300]]),
      nowS: 1200,
      id: 'decay',
      status: 'pending',
      message: /^rose from 350 to 1300 microns within 10:00 of isolation \(limit 500 microns\) and kept climbing at a steady 95 microns\/min .*: a leak; pumping down again restarts the decay test$/,
    },
    { name: 'a complete decay test passes before the stop marker', readings: path([...PUMP_DOWN(300), [1800, 380]]), nowS: 1800, id: 'decay', status: 'pass', message: /^stayed at or below 500 microns for 20:00/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run(c.readings, { nowS: c.nowS })
      const x = check(step, c.id)
      expect(x.status).toBe(c.status)
      expect(x.message).toMatch(c.message)
      expect(step.status).toBe('in_progress')
    })
  }
})

describe('EvacuationParamsSchema', () => {
  it('refuses a decay limit below the target', () => {
    expect(EvacuationParamsSchema.safeParse(SPLIT).success).toBe(true)
    const bad = EvacuationParamsSchema.safeParse({ ...SPLIT, decayMaxMicron: { value: 300, source: 'x' } })
    expect(bad.error?.issues[0]?.path).toEqual(['decayMaxMicron', 'value'])
  })
})
