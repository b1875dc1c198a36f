/**
 * The test run against real field readings (issue 10): two devices on one channel, inverter
 * pull-down, units without a high-side port, casing leakage, heating runs, fixed-orifice
 * target superheat and sites above sea level. Vectors are worked by hand from the sources
 * named beside them.
 */
import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../../../contract/channels.js'
import type { Reading } from '../../../../contract/reading.js'
import type { StepResult } from '../../../../rules/result.js'
import { check } from '../../helpers/checks.js'
import { isaPressureKpa, siteAtmosphere } from '../../../../rules/site-atmosphere.js'
import { formulaTargetK, tableTargetK } from '../../../../rules/target-superheat.js'
import { evaluateTestRun, type TestRunInput, type TestRunParams, type TestRunReadings } from '../../../../rules/steps/test-run/index.js'

const T0 = Date.UTC(2025, 6, 15, 10, 0, 0)
const at = (s: number) => T0 + s * 1000
const src = <T>(value: T) => ({ value, source: 'test' })
const band = (minK: number, maxK: number) => ({ minK: src(minK), maxK: src(maxK), settleS: src(900), windowS: src(600) })

const PARAMS: TestRunParams = {
  minDurationS: src(1800),
  maxGapS: src(60),
  runningCurrentMinA: src(0.5),
  currentMaxRatioOfRated: src(1.0),
  startupGraceS: src(10),
  liveLagMaxS: src(60),
  minLiveFraction: src(0.9),
}

/** R32 dew point 5 °C is 951.45 kPa absolute (rules/refrigerants/r32.ts table row). */
const R32_DEW_5C_ABS = 951.45

function ch(channel: ChannelName, fromS: number, toS: number, stepS: number, value: number | ((s: number) => number), deviceId = 'probe-1'): Reading[] {
  const out: Reading[] = []
  for (let s = fromS; s <= toS; s += stepS) out.push({ deviceId, channel, ts: at(s), value: typeof value === 'number' ? value : value(s), receivedAt: at(s) })
  return out
}

/** stopS null: still running at 30:10. */
function run(readings: TestRunReadings, extra: Partial<TestRunInput> = {}, stopS: number | null = 1810): StepResult {
  return evaluateTestRun({
    params: PARAMS,
    ratedCurrentA: 8,
    refrigerant: 'R32',
    window: stopS === null ? { start: at(0) } : { start: at(0), stop: at(stopS) },
    now: at(stopS ?? 1810),
    readings,
    ...extra,
  })
}
describe('two devices reporting current_a are never merged', () => {
  // Outdoor clamp 5 A every 5 s; the indoor unit reports its own 0.3 A fan current every 5 s, offset 2 s.
  const clamp = ch('current_a', 0, 1810, 5, 5, 'clamp-1')
  const indoor = ch('current_a', 2, 1812, 5, 0.3, 'indoor-1')
  const both = [...clamp, ...indoor]

  it('merged (the old behaviour) the 0.3 A readings would break the run; with roles the compressor clamp alone is read and passes', () => {
    const step = run({ current_a: both }, { roles: { 'clamp-1': { current_a: 'compressor' }, 'indoor-1': { current_a: 'indoor' } } })
    expect(check(step, 'duration')).toMatchObject({ status: 'pass', measured: 1810 })
    expect(check(step, 'current_within_rating')).toMatchObject({ status: 'pass', measured: 5 })
  })

  it('without roles the two devices are not merged: the checks say which devices and how to declare them', () => {
    const step = run({ current_a: both })
    const d = check(step, 'duration')
    expect(d.status).toBe('pending')
    expect(d.message).toBe(
      'current_a comes from 2 devices (clamp-1, indoor-1) and none is marked as the compressor current_a: readings of different things are not merged; attach the devices with roles, e.g. roles: {"current_a": "compressor"}',
    )
    expect(check(step, 'current_within_rating').status).toBe('pending')
    expect(step.status).toBe('incomplete')
  })

  it('roles declared but none is the compressor: pending, naming the declared roles', () => {
    const step = run({ current_a: both }, { roles: { 'indoor-1': { current_a: 'indoor' } } })
    expect(check(step, 'duration').message).toBe('no attached device reports current_a as compressor (declared: indoor-1: indoor)')
  })

  it('a single device needs no role', () => {
    expect(check(run({ current_a: clamp }), 'duration').status).toBe('pass')
  })
})

describe('current against the nameplate: inverter pull-down', () => {
  // Rated 4.5 A, nameplate maximum 8.5 A (the example): 6.5 A for the first 10 min, then 4.2 A.
  const pullDown = ch('current_a', 0, 1810, 5, (s) => (s < 600 ? 6.5 : 4.2), 'clamp-1')
  const unit = { ratedCurrentA: 4.5, maxCurrentA: 8.5 }
  const pd = { ...PARAMS, pullDownS: src(1200) }

  it('passes with the nameplate maximum given', () => {
    const c = check(run({ current_a: pullDown }, { ...unit, params: pd }), 'current_within_rating')
    expect(c).toMatchObject({ status: 'pass', measured: 6.5, limit: 8.5 })
    expect(c.message).toMatch(/within the limit 8\.5 A \(nameplate maximum 8\.5 A;.*above rated 4\.5 A only in the first 20:00 \(pull-down\)/)
  })

  it('without the nameplate maximum the limit is rated × ratio, as for a fixed-speed unit (6.5 A > 4.5 A fails)', () => {
    const c = check(run({ current_a: pullDown }, { ratedCurrentA: 4.5, params: pd }), 'current_within_rating')
    expect(c).toMatchObject({ status: 'fail', severity: 'major', limit: 4.5, measured: 6.5 })
  })

  it('above the nameplate maximum fails, first over at its time', () => {
    const over = ch('current_a', 0, 1810, 5, (s) => (s >= 300 && s < 400 ? 9 : 4.2), 'clamp-1')
    const c = check(run({ current_a: over }, { ...unit, params: pd }), 'current_within_rating')
    expect(c).toMatchObject({ status: 'fail', severity: 'major', measured: 9, limit: 8.5 })
    expect(c.message).toMatch(/first over at 5:00; 20 readings over the limit/)
  })

  it('above rated after the pull-down warns (within the maximum)', () => {
    const late = ch('current_a', 0, 1810, 5, (s) => (s < 1500 ? 4.2 : 5.5), 'clamp-1')
    const c = check(run({ current_a: late }, { ...unit, params: pd }), 'current_within_rating')
    expect(c).toMatchObject({ status: 'warn', severity: 'minor' })
    expect(c.message).toMatch(/^current 5\.5 A above rated 4\.5 A \(× 1\) more than 20:00 into a run \(first at 25:00\)/)
  })
})

/** A healthy 30-minute R32 run every 5 s (superheat 6 K at sea level, subcooling readings absent). */
function lowSideOnly(atmKpa = 101.325): TestRunReadings {
  return {
    current_a: ch('current_a', 0, 1810, 5, 6),
    temp_suction_c: ch('temp_suction_c', 0, 1810, 5, 11),
    pressure_low_kpag: ch('pressure_low_kpag', 0, 1810, 5, R32_DEW_5C_ABS - atmKpa),
  }
}

describe('ports: what cannot be measured is not pending', () => {
  const params = { ...PARAMS, superheat: band(3, 10), subcooling: band(3, 8) }
  it('a ductless split without a high-side port passes on superheat; subcooling is shown as not measurable', () => {
    const step = run(lowSideOnly(), { params, ports: { lowSide: true, highSide: false } })
    expect(check(step, 'superheat')).toMatchObject({ status: 'pass', measured: 6 })
    expect(check(step, 'subcooling').message).toMatch(/^not measurable: the unit has no high-side \(liquid\) service port/)
    expect(step.status).toBe('pass')
  })
  it('with the port declared but no readings the run stays incomplete (the old behaviour for every split)', () => {
    const step = run(lowSideOnly(), { params })
    expect(check(step, 'subcooling').status).toBe('pending')
    expect(step.status).toBe('incomplete')
  })
})

describe('casing leakage during the test run (S14, seed §5 ch.5 art.9)', () => {
  const params = { ...PARAMS, leakage: { maxMa: src(3.5) } }
  const current = ch('current_a', 0, 1810, 5, 6)
  it('a leak at minute 12 fails critically, telling the installer to stop at once', () => {
    const leakage = ch('leakage_ma', 0, 1800, 60, (s) => (s >= 720 ? 5.2 : 0.3), 'tester-1')
    const c = check(run({ current_a: current, leakage_ma: leakage }, { params }), 'casing_leakage')
    expect(c).toMatchObject({ status: 'fail', severity: 'critical', measured: 5.2, limit: 3.5, clause: 'S14' })
    expect(c.message).toMatch(/^casing leakage 5\.2 mA at 12:00 .*stop the unit at once/)
  })
  it('a sound casing passes', () => {
    const leakage = ch('leakage_ma', 0, 1800, 60, 0.4, 'tester-1')
    expect(check(run({ current_a: current, leakage_ma: leakage }, { params }), 'casing_leakage')).toMatchObject({ status: 'pass', measured: 0.4 })
  })
  it('not watched: pending while running, a warning once stopped', () => {
    expect(check(run({ current_a: current }, { params }, null), 'casing_leakage').status).toBe('pending')
    expect(check(run({ current_a: current }, { params }), 'casing_leakage')).toMatchObject({ status: 'warn', severity: 'minor' })
  })
})

describe('heating run (heat pumps)', () => {
  // Heating: supply 42 °C, return 21 °C → the air is warmed by 21 K.
  const readings = {
    current_a: ch('current_a', 0, 1810, 5, 6),
    temp_supply_air_c: ch('temp_supply_air_c', 0, 1810, 5, 42),
    temp_return_air_c: ch('temp_return_air_c', 0, 1810, 5, 21),
  }
  const params = { ...PARAMS, airDeltaT: band(8, 14), airDeltaTHeating: band(10, 25), superheat: band(3, 10) }
  it('judged by its own band, with no cooling ΔT warning; charge is not judged in heating', () => {
    const step = run(readings, { params, mode: 'heating' })
    expect(check(step, 'air_delta_t')).toMatchObject({ status: 'pass', measured: 21 })
    expect(check(step, 'air_delta_t').message).toMatch(/^air ΔT \(heating\) 21\.0 K within 10-25 K/)
    expect(check(step, 'superheat').message).toMatch(/^not measurable: heating run/)
    expect(step.status).toBe('pass')
  })
  it('the same readings judged as cooling warn (return − supply is −21 K): why heating needs its own mode', () => {
    expect(check(run(readings, { params }), 'air_delta_t')).toMatchObject({ status: 'warn', measured: -21 })
  })
})

describe('target superheat for fixed-orifice and capillary units', () => {
  it.each([
    // (3·WB − 80 − DB)/2 °F: WB 67 °F, DB 95 °F → 13 °F = 7.22 K; WB 62 °F, DB 80 °F → 13 °F; WB 70 °F, DB 85 °F → 22.5 °F = 12.5 K.
    [19.444, 35, 7.22],
    [16.667, 26.667, 7.22],
    [21.111, 29.444, 12.5],
  ])('formula: indoor WB %s °C, outdoor %s °C → %s K', (wb, db, k) => {
    const t = formulaTargetK(wb, db)
    expect(t.ok && Math.round(t.targetK * 100) / 100).toBe(k)
  })
  it('formula: below 5 °F there is no target (WB 58 °F, DB 100 °F → −3 °F)', () => {
    const t = formulaTargetK(14.444, 37.778)
    expect(t.ok).toBe(false)
    expect(!t.ok && t.reason).toMatch(/below 5 °F the charging table says do not charge by superheat/)
  })

  // Carrier 38VTA installation instructions, Table 4 "Superheat charging table", three rows by hand (°F).
  const table = {
    unit: 'F' as const,
    outdoorDryBulb: [85, 90, 95],
    indoorWetBulb: [56, 58, 60, 62, 64, 66],
    superheat: [
      [null, null, null, 8, 11, 15],
      [null, null, null, 5, 9, 13],
      [null, null, null, null, 6, 10],
    ],
  }
  const fToC = (f: number) => ((f - 32) * 5) / 9
  it.each([
    [64, 90, (9 * 5) / 9],
    [65, 90, (11 * 5) / 9],
    [64, 87.5, (10 * 5) / 9],
    [65, 92.5, ((9 + 13 + 6 + 10) / 4) * (5 / 9)],
  ])('table: WB %s °F, DB %s °F → %s K (bilinear)', (wbF, dbF, k) => {
    const t = tableTargetK(table, fToC(wbF), fToC(dbF))
    expect(t.ok).toBe(true)
    expect(t.ok && t.targetK).toBeCloseTo(k, 6)
  })
  it('table: a dash in a corner means do not charge by superheat', () => {
    const t = tableTargetK(table, fToC(61), fToC(92))
    expect(!t.ok && t.reason).toMatch(/the table says do not charge by superheat/)
  })

  it('a capillary unit at the target passes where the fixed 3-10 K band fails it', () => {
    // WB 70 °F (21.11 °C), outdoor 85 °F (29.44 °C): target 22.5 °F = 12.5 K. Suction 17.5 °C over a 5 °C dew point: 12.5 K.
    const readings = {
      current_a: ch('current_a', 0, 1810, 5, 6),
      temp_suction_c: ch('temp_suction_c', 0, 1810, 5, 17.5),
      pressure_low_kpag: ch('pressure_low_kpag', 0, 1810, 5, R32_DEW_5C_ABS - 101.325),
      temp_outdoor_c: ch('temp_outdoor_c', 0, 1810, 10, 29.444, 'unit-1'),
    }
    const target = { method: src('formula' as const), toleranceK: src(2.8), meteringDevices: src(['fixed-orifice' as const, 'capillary' as const]) }
    const params = { ...PARAMS, superheat: band(3, 10), targetSuperheat: target }
    const fixed = check(run(readings, { params }), 'superheat')
    expect(fixed).toMatchObject({ status: 'fail', measured: 12.5 })
    const judged = check(run(readings, { params, meteringDevice: 'capillary', indoorWetBulbC: 21.111 }), 'superheat')
    expect(judged).toMatchObject({ status: 'pass', measured: 12.5 })
    expect(judged.message).toMatch(/within 9\.7-15\.3 K/)
    expect(judged.message).toMatch(/capillary unit: target \(3·WB − 80 − DB\)\/2 °F at indoor wet bulb 21\.1 °C, outdoor 29\.4 °C: 12\.5 K ± 2\.8 K/)
    const noWb = check(run(readings, { params, meteringDevice: 'capillary' }), 'superheat')
    expect(noWb).toMatchObject({ status: 'pending' })
    expect(noWb.message).toMatch(/needs the indoor wet bulb \(fact indoorWetBulbC/)
  })
})

describe('site atmosphere: gauge ↔ absolute at altitude', () => {
  it.each([
    // ICAO Standard Atmosphere table (ISO 2533): 0 m 101.325, 1000 m 89.876, 2000 m 79.495, 3000 m 70.109 kPa.
    [0, 101.325],
    [1000, 89.876],
    [2000, 79.495],
    [3000, 70.109],
  ])('ISA at %s m is %s kPa', (h, kpa) => expect(isaPressureKpa(h)).toBeCloseTo(kpa, 1))

  it('a measured pressure wins over the elevation', () => {
    expect(siteAtmosphere({ siteAtmosphericKpa: 85, siteElevationM: 2000 }).kpa).toBe(85)
    expect(siteAtmosphere({}).kpa).toBe(101.325)
  })

  it('at 2000 m the low-side gauge reading that means a 5 °C dew point gives 6.0 K superheat; read with sea level it would be ~0.8 K less', () => {
    const params = { ...PARAMS, superheat: band(3, 10) }
    const readings = lowSideOnly(79.495)
    const site = check(run(readings, { params, atmosphere: siteAtmosphere({ siteElevationM: 2000 }) }), 'superheat')
    expect(site.measured).toBe(6)
    expect(site.message).toMatch(/gauge zero: atmosphere 79\.5 kPa \(ISA barometric formula at 2000 m\)/)
    const seaLevel = check(run(readings, { params }), 'superheat').measured ?? 0
    expect(6 - seaLevel).toBeGreaterThan(0.5)
    expect(6 - seaLevel).toBeLessThan(1.2)
  })
})
