import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../../../contract/channels.js'
import type { Reading } from '../../../../contract/reading.js'
import type { StepResult } from '../../../../rules/result.js'
import { check } from '../../helpers/checks.js'
import { evaluateTestRun, type TestRunParams, type TestRunReadings } from '../../../../rules/steps/test-run/index.js'

const T0 = Date.UTC(2025, 6, 15, 10, 0, 0)
const at = (s: number) => T0 + s * 1000
const src = (value: number) => ({ value, source: 'test' })
const band = (minK: number, maxK: number) => ({ minK: src(minK), maxK: src(maxK), settleS: src(900), windowS: src(600) })

// The split-ac values, spelt out so these cases do not move when the pack does.
const PARAMS: TestRunParams = {
  minDurationS: src(1800),
  maxGapS: src(60),
  runningCurrentMinA: src(0.5),
  currentMaxRatioOfRated: src(1.0),
  startupGraceS: src(10),
  liveLagMaxS: src(60),
  minLiveFraction: src(0.9),
  airDeltaT: band(8, 14),
  superheat: band(3, 10),
  subcooling: band(3, 8),
}

/** Table rows, kPa(g): the saturation temperature there is exact (rules/refrigerants). */
const ATM = 101.325
const R32_5C = 951.45 - ATM
const R32_45C = 2794.78 - ATM
const R410A_DEW_5C = 933.16 - ATM
const R410A_BUBBLE_45C = 2733.77 - ATM

/** One channel every stepS from fromS to toS inclusive; value may depend on the time. */
function ch(channel: ChannelName, fromS: number, toS: number, stepS: number, value: number | ((s: number) => number)): Reading[] {
  const out: Reading[] = []
  for (let s = fromS; s <= toS; s += stepS) out.push({ deviceId: 'probe-1', channel, ts: at(s), value: typeof value === 'number' ? value : value(s), receivedAt: at(s) })
  return out
}

/** A healthy 30-minute R32 run, every 5 s: ΔT 12 K, superheat 6 K, subcooling 5 K. */
function healthy(toS = 1800): Required<Pick<TestRunReadings, 'current_a' | 'temp_supply_air_c' | 'temp_return_air_c' | 'temp_suction_c' | 'pressure_low_kpag' | 'temp_liquid_c' | 'pressure_high_kpag'>> {
  return {
    current_a: ch('current_a', 0, toS, 5, 6),
    temp_supply_air_c: ch('temp_supply_air_c', 0, toS, 5, 13),
    temp_return_air_c: ch('temp_return_air_c', 0, toS, 5, 25),
    temp_suction_c: ch('temp_suction_c', 0, toS, 5, 11),
    pressure_low_kpag: ch('pressure_low_kpag', 0, toS, 5, R32_5C),
    temp_liquid_c: ch('temp_liquid_c', 0, toS, 5, 40),
    pressure_high_kpag: ch('pressure_high_kpag', 0, toS, 5, R32_45C),
  }
}

function run(readings: TestRunReadings, opts: { stopS?: number; nowS?: number; refrigerant?: string; params?: Partial<TestRunParams> } = {}): StepResult {
  return evaluateTestRun({
    params: { ...PARAMS, ...opts.params },
    ratedCurrentA: 8,
    refrigerant: opts.refrigerant ?? 'R32',
    window: opts.stopS === undefined ? { start: at(0) } : { start: at(0), stop: at(opts.stopS) },
    now: at(opts.nowS ?? opts.stopS ?? 0),
    readings,
  })
}
const HOW = 'of 121 readings from 20:00 to 30:00'
const R32_NOTE = 'R32 saturation data: Tillner-Roth & Yokozeki 1997 equation of state (NIST REFPROP / CoolProp)'
const R410A_NOTE = 'R410A saturation data: Lemmon 2003 pseudo-pure R410A bubble/dew equations (NIST REFPROP / CoolProp)'
const AIR_ADVICE = 'a rule of thumb, not a charging method: check airflow, filter, charge and indoor humidity'

describe('test run: a healthy commissioning run', () => {
  it('passes every check, each with its evidence', () => {
    const step = run(healthy(), { stopS: 1810 })
    expect(step.status).toBe('pass')
    expect(step.checks.map((c) => [c.id, c.status])).toEqual([
      ['duration', 'pass'], ['current_within_rating', 'pass'], ['evidence_live', 'pass'],
      ['air_delta_t', 'pass'], ['superheat', 'pass'], ['subcooling', 'pass'],
    ])
    const window = { from: at(1200), to: at(1800) }
    expect(check(step, 'air_delta_t')).toEqual({
      id: 'air_delta_t', status: 'pass', unit: 'K', measured: 12, clause: 'S1',
      message: `air ΔT 12.0 K within 8-14 K (return − supply air across the indoor coil, mean ${HOW})`,
      evidence: [{ channel: 'temp_supply_air_c', ...window }, { channel: 'temp_return_air_c', ...window }],
    })
    expect(check(step, 'superheat')).toEqual({
      id: 'superheat', status: 'pass', unit: 'K', measured: 6,
      message: `superheat 6.0 K within 3-10 K (suction line − R32 dew point at the low-side pressure, median ${HOW}); ${R32_NOTE}`,
      evidence: [{ channel: 'temp_suction_c', ...window }, { channel: 'pressure_low_kpag', ...window }],
    })
    expect(check(step, 'subcooling')).toEqual({
      id: 'subcooling', status: 'pass', unit: 'K', measured: 5,
      message: `subcooling 5.0 K within 3-8 K (R32 bubble point at the high-side pressure − liquid line, median ${HOW}); ${R32_NOTE}`,
      evidence: [{ channel: 'temp_liquid_c', ...window }, { channel: 'pressure_high_kpag', ...window }],
    })
  })

  it('a pack without the groups runs none of these checks', () => {
    const { airDeltaT: _a, superheat: _s, subcooling: _c, ...plain } = PARAMS
    const step = evaluateTestRun({ params: plain, ratedCurrentA: 8, refrigerant: 'R32', window: { start: at(0), stop: at(1810) }, now: at(1810), readings: healthy() })
    expect(step.checks.map((c) => c.id)).toEqual(['duration', 'current_within_rating', 'evidence_live'])
  })

  it('input order does not matter', () => {
    const r = healthy()
    const shuffled = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.map((x, i) => ({ x, k: (i * 7919) % 1009 })).sort((a, b) => a.k - b.k).map((y) => y.x)]))
    expect(run(shuffled, { stopS: 1810 })).toEqual(run(r, { stopS: 1810 }))
  })
})

describe('test run: air ΔT across the indoor coil (rule of thumb → warn, minor)', () => {
  const cases: { name: string; supply: number; ret: number; status: 'pass' | 'warn'; measured: number; limit?: number; side?: string }[] = [
    { name: '12 K passes', supply: 13, ret: 25, status: 'pass', measured: 12 },
    { name: 'exactly 8 K passes', supply: 13, ret: 21, status: 'pass', measured: 8 },
    { name: 'exactly 14 K passes', supply: 11, ret: 25, status: 'pass', measured: 14 },
    { name: '7.9 K warns', supply: 13, ret: 20.9, status: 'warn', measured: 7.9, limit: 8, side: 'below' },
    { name: '14.1 K warns', supply: 10.9, ret: 25, status: 'warn', measured: 14.1, limit: 14, side: 'above' },
    { name: 'heating mode (supply warmer) warns', supply: 35, ret: 20, status: 'warn', measured: -15, limit: 8, side: 'below' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const r = { ...healthy(), temp_supply_air_c: ch('temp_supply_air_c', 0, 1800, 5, c.supply), temp_return_air_c: ch('temp_return_air_c', 0, 1800, 5, c.ret) }
      const step = run(r, { stopS: 1810 })
      const d = check(step, 'air_delta_t')
      expect(d.status).toBe(c.status)
      expect(d.measured).toBe(c.measured)
      expect(d.limit).toBe(c.limit)
      expect(d.severity).toBe(c.status === 'warn' ? 'minor' : undefined)
      const how = `(return − supply air across the indoor coil, mean ${HOW})`
      expect(d.message).toBe(c.side ? `air ΔT ${c.measured.toFixed(1)} K ${c.side} 8-14 K ${how}; ${AIR_ADVICE}` : `air ΔT ${c.measured.toFixed(1)} K within 8-14 K ${how}`)
      expect(step.status).toBe('pass') // a warning never fails the step
    })
  }

  it('only the last 10 minutes after the 15-minute settling count', () => {
    // 2 K until 19:55 (start-up, and the settled minutes before the window), 12 K from 20:00.
    const r = { ...healthy(), temp_return_air_c: ch('temp_return_air_c', 0, 1800, 5, (s) => (s < 1200 ? 15 : 25)) }
    expect(check(run(r, { stopS: 1810 }), 'air_delta_t').measured).toBe(12)
  })

  it('is a mean: one 30 K reading among 120 of 12 K moves it', () => {
    const r = { ...healthy(), temp_return_air_c: ch('temp_return_air_c', 0, 1800, 5, (s) => (s === 1500 ? 43 : 25)) }
    expect(check(run(r, { stopS: 1810 }), 'air_delta_t').measured).toBe(12.1) // (120 × 12 + 30) / 121 = 12.149
  })

  it('a shorter window after a longer settling: settleS wins', () => {
    const r = { ...healthy(), temp_return_air_c: ch('temp_return_air_c', 0, 1800, 5, (s) => (s < 1500 ? 15 : 25)) }
    const d = check(run(r, { stopS: 1810, params: { airDeltaT: { ...band(8, 14), settleS: src(1500) } } }), 'air_delta_t')
    expect(d.measured).toBe(12)
    expect(d.message).toMatch(/mean of 61 readings from 25:00 to 30:00\)$/)
  })

  it('pairs readings up to maxGapS apart, nearest first', () => {
    const r = {
      ...healthy(),
      temp_supply_air_c: ch('temp_supply_air_c', 1200, 1800, 60, 13),
      temp_return_air_c: ch('temp_return_air_c', 1230, 1770, 60, 25),
    }
    const d = check(run(r, { stopS: 1810 }), 'air_delta_t')
    expect(d.message).toMatch(/mean of 11 readings from 20:00 to 30:00\)$/)
    expect(d.evidence).toEqual([
      { channel: 'temp_supply_air_c', from: at(1200), to: at(1800) },
      { channel: 'temp_return_air_c', from: at(1230), to: at(1770) },
    ])
  })

  it('a reading filed under another channel is ignored', () => {
    const stray = ch('temp_return_air_c', 0, 1800, 5, 40)
    const r = { ...healthy(), temp_supply_air_c: [...healthy().temp_supply_air_c, ...stray] }
    expect(check(run(r, { stopS: 1810 }), 'air_delta_t').measured).toBe(12)
  })
})

describe('test run: superheat (dew point) and subcooling (bubble point)', () => {
  const cases: { name: string; id: 'superheat' | 'subcooling'; pipe: number; status: 'pass' | 'fail'; measured: number; limit?: number; side?: string }[] = [
    { name: 'superheat exactly 3 K passes', id: 'superheat', pipe: 8, status: 'pass', measured: 3 },
    { name: 'superheat exactly 10 K passes', id: 'superheat', pipe: 15, status: 'pass', measured: 10 },
    { name: 'superheat 2.9 K fails (overcharge or flooding)', id: 'superheat', pipe: 7.9, status: 'fail', measured: 2.9, limit: 3, side: 'below' },
    { name: 'superheat 10.1 K fails (undercharge or restriction)', id: 'superheat', pipe: 15.1, status: 'fail', measured: 10.1, limit: 10, side: 'above' },
    { name: 'subcooling exactly 8 K passes', id: 'subcooling', pipe: 37, status: 'pass', measured: 8 },
    { name: 'subcooling 8.1 K fails', id: 'subcooling', pipe: 36.9, status: 'fail', measured: 8.1, limit: 8, side: 'above' },
    { name: 'negative subcooling fails', id: 'subcooling', pipe: 46, status: 'fail', measured: -1, limit: 3, side: 'below' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const channel = c.id === 'superheat' ? 'temp_suction_c' : 'temp_liquid_c'
      const step = run({ ...healthy(), [channel]: ch(channel, 0, 1800, 5, c.pipe) }, { stopS: 1810 })
      const d = check(step, c.id)
      expect(d.status).toBe(c.status)
      expect(d.measured).toBe(c.measured)
      expect(d.limit).toBe(c.limit)
      expect(d.severity).toBe(c.status === 'fail' ? 'major' : undefined)
      const range = c.id === 'superheat' ? '3-10 K' : '3-8 K'
      const what = c.id === 'superheat' ? 'suction line − R32 dew point at the low-side pressure' : 'R32 bubble point at the high-side pressure − liquid line'
      expect(d.message).toBe(`${c.id} ${c.measured.toFixed(1)} K ${c.side ?? 'within'} ${range} (${what}, median ${HOW}); ${R32_NOTE}`)
      expect(step.status).toBe(c.status)
    })
  }

  it('R410A: superheat from the dew point, subcooling from the bubble point', () => {
    const r = { ...healthy(), pressure_low_kpag: ch('pressure_low_kpag', 0, 1800, 5, R410A_DEW_5C), pressure_high_kpag: ch('pressure_high_kpag', 0, 1800, 5, R410A_BUBBLE_45C) }
    const step = run(r, { stopS: 1810, refrigerant: 'R-410A' })
    // With the other curve each would be 0.1 K off: 6.1 K and 4.9 K.
    expect(check(step, 'superheat')).toMatchObject({ status: 'pass', measured: 6, message: `superheat 6.0 K within 3-10 K (suction line − R410A dew point at the low-side pressure, median ${HOW}); ${R410A_NOTE}` })
    expect(check(step, 'subcooling')).toMatchObject({ status: 'pass', measured: 5, message: `subcooling 5.0 K within 3-8 K (R410A bubble point at the high-side pressure − liquid line, median ${HOW}); ${R410A_NOTE}` })
  })

  it('is a median: spikes either way (a probe knocked off the pipe) do not move it', () => {
    // Ten readings at 40 °C, ten at −10 °C: the mean would be 6.7 K, the extremes 35 and −15 K.
    const spike = (s: number) => (s >= 1500 && s < 1550 ? 40 : s >= 1600 && s < 1650 ? -10 : 11)
    const r = { ...healthy(), temp_suction_c: ch('temp_suction_c', 0, 1800, 5, spike) }
    expect(check(run(r, { stopS: 1810 }), 'superheat').measured).toBe(6)
  })

  it('out of band while running is pending, not a failure: later readings may bring it back', () => {
    const r = { ...healthy(), temp_suction_c: ch('temp_suction_c', 0, 1800, 5, 17) }
    const step = run(r, { nowS: 1801 })
    const d = check(step, 'superheat')
    expect(d.status).toBe('pending')
    expect(d.measured).toBe(12)
    expect(d.limit).toBe(10)
    expect(d.message).toBe(`superheat 12.0 K so far, above 3-10 K (suction line − R32 dew point at the low-side pressure, median ${HOW}): decided when the test run stops; ${R32_NOTE}`)
    expect(step.status).toBe('in_progress')
    expect(run(r, { stopS: 1801 }).status).toBe('fail')
  })

  it('an unknown refrigerant leaves both pending and the stopped step incomplete', () => {
    const step = run(healthy(), { stopS: 1810, refrigerant: 'R404A' })
    const known = '(known: R22, R290, R32, R410A)'
    expect(check(step, 'superheat')).toEqual({
      id: 'superheat', status: 'pending', unit: 'K',
      message: `superheat cannot be computed: no saturation table for refrigerant "R404A" ${known}`,
      evidence: [{ channel: 'temp_suction_c', from: at(0), to: at(1810) }, { channel: 'pressure_low_kpag', from: at(0), to: at(1810) }],
    })
    expect(check(step, 'subcooling').message).toBe(`subcooling cannot be computed: no saturation table for refrigerant "R404A" ${known}`)
    expect(check(step, 'air_delta_t').status).toBe('pass')
    expect(step.status).toBe('incomplete')
  })

  it('a low side outside the saturation table is not extrapolated', () => {
    const r = { ...healthy(), pressure_low_kpag: ch('pressure_low_kpag', 0, 1800, 5, -50) }
    const d = check(run(r, { stopS: 1810 }), 'superheat')
    expect(d.status).toBe('pending')
    expect(d.message).toBe(
      `superheat cannot be computed from 20:00 to 30:00: pressure -50 kPa(g) is outside the R32 dew-point table (-40 to 65 °C, 76.1 to 4282.9 kPa(g)): not extrapolated; ${R32_NOTE}`,
    )
  })

  it('a few readings outside the table are left out, and said so', () => {
    const r = { ...healthy(), pressure_low_kpag: ch('pressure_low_kpag', 0, 1800, 5, (s) => (s === 1500 ? 5000 : R32_5C)) }
    const d = check(run(r, { stopS: 1810 }), 'superheat')
    expect(d.status).toBe('pass')
    expect(d.message).toBe(
      `superheat 6.0 K within 3-10 K (suction line − R32 dew point at the low-side pressure, median of 120 readings from 20:00 to 30:00; 1 of 121 readings left out: pressure 5000 kPa(g) is outside the R32 dew-point table (-40 to 65 °C, 76.1 to 4282.9 kPa(g)): not extrapolated); ${R32_NOTE}`,
    )
  })
})

describe('test run: commissioning checks without the evidence', () => {
  const { temp_supply_air_c: _s, ...noSupply } = healthy()
  const { temp_supply_air_c: _s2, temp_return_air_c: _r2, ...noAir } = healthy()
  const { pressure_low_kpag: _p, ...noLow } = healthy()
  const cases: { name: string; readings: TestRunReadings; id: string; message: string }[] = [
    { name: 'no supply air probe', readings: noSupply, id: 'air_delta_t', message: 'no temp_supply_air_c readings' },
    { name: 'no air probes', readings: noAir, id: 'air_delta_t', message: 'no temp_supply_air_c or temp_return_air_c readings' },
    { name: 'no low-side gauge', readings: noLow, id: 'superheat', message: 'no pressure_low_kpag readings' },
    {
      name: 'the supply probe stopped at 10:00',
      readings: { ...healthy(), temp_supply_air_c: ch('temp_supply_air_c', 0, 600, 5, 13) },
      id: 'air_delta_t',
      message: 'no temp_supply_air_c reading within 1:00 of a temp_return_air_c reading from 20:00 to 30:00',
    },
    {
      name: 'probes never within maxGapS of each other',
      readings: { ...healthy(), temp_liquid_c: ch('temp_liquid_c', 1200, 1300, 5, 40), pressure_high_kpag: ch('pressure_high_kpag', 1400, 1800, 5, R32_45C) },
      id: 'subcooling',
      message: 'no temp_liquid_c reading within 1:00 of a pressure_high_kpag reading from 20:00 to 30:00',
    },
  ]
  for (const c of cases) {
    it(`${c.name}: pending, and the stopped step is incomplete`, () => {
      const step = run(c.readings, { stopS: 1810 })
      expect(check(step, c.id)).toMatchObject({ status: 'pending', message: c.message })
      expect(step.status).toBe('incomplete')
    })
  }

  it('a missing channel points at the whole step window', () => {
    expect(check(run(noSupply, { stopS: 1810 }), 'air_delta_t').evidence).toEqual([
      { channel: 'temp_supply_air_c', from: at(0), to: at(1810) },
      { channel: 'temp_return_air_c', from: at(0), to: at(1810) },
    ])
  })

  it('readings after the stop marker do not count', () => {
    const r = healthy(2400)
    const late = { ...r, temp_suction_c: ch('temp_suction_c', 0, 2400, 5, (s) => (s > 1800 ? 40 : 11)) }
    expect(check(run(late, { stopS: 1800 }), 'superheat').measured).toBe(6)
  })
})

describe('test run: commissioning checks wait for a settled run', () => {
  const cases: { name: string; readings: TestRunReadings; stopS?: number; nowS?: number; message: string; step: string }[] = [
    { name: 'running, not yet settled', readings: healthy(600), nowS: 601, message: 'air ΔT: settling, 10:00 of the 15:00 continuous run before it is evaluated', step: 'in_progress' },
    { name: 'running, unit not started', readings: { ...healthy(600), current_a: [] }, nowS: 601, message: 'air ΔT: waiting for the unit to run (evaluated after 15:00 of continuous running)', step: 'in_progress' },
    { name: 'stopped after 12 minutes', readings: healthy(720), stopS: 720, message: 'air ΔT not evaluated: the longest continuous run was 12:00; it is evaluated after 15:00', step: 'fail' },
    { name: 'stopped, never ran', readings: { ...healthy(), current_a: ch('current_a', 0, 1800, 5, 0.1) }, stopS: 1800, message: 'air ΔT not evaluated: the unit never ran between start and stop', step: 'fail' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run(c.readings, { ...(c.stopS === undefined ? {} : { stopS: c.stopS }), ...(c.nowS === undefined ? {} : { nowS: c.nowS }) })
      expect(check(step, 'air_delta_t')).toMatchObject({ status: 'pending', message: c.message })
      expect(step.status).toBe(c.step)
    })
  }

  it('evaluates the longest run, not a short restart after it', () => {
    const r = healthy()
    // The unit restarts for 100 s at 40:00 with a bad superheat: the 30-minute run decides.
    const restart = { ...r, current_a: [...r.current_a, ...ch('current_a', 2400, 2500, 5, 6)], temp_suction_c: [...r.temp_suction_c, ...ch('temp_suction_c', 2400, 2500, 5, 30)] }
    expect(check(run(restart, { stopS: 2500 }), 'superheat').measured).toBe(6)
  })
})
