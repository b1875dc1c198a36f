import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import type { InstalledUnit } from '../../../contract/job.js'
import type { StepResult } from '../../../rules/result.js'
import { check } from '../helpers/checks.js'
import { ElectricalParamsSchema, evaluateElectrical, type ElectricalParams } from '../../../rules/steps/electrical.js'

const PARAMS: ElectricalParams = {
  insulationMinMohm: { value: 1, source: 'IEC 60364-6' },
  earthMaxOhm: { value: 4, source: 'GB 50057 practice' },
  earthOpenCircuitOhm: { value: 1000, source: 'test' },
  leakageMaxMa: { value: 3.5, source: 'IEC 60335-1' },
  supplyVoltageMinRatio: { value: 0.9, source: 'test' },
  supplyVoltageMaxRatio: { value: 1.1, source: 'test' },
  ratedVoltageSinglePhaseV: { value: 220, source: 'GB/T 156' },
  ratedVoltageThreePhaseV: { value: 380, source: 'GB/T 156' },
  dedicatedBreakerMinHp: { value: 3, source: 'S4' },
  rcdMaxRatedMa: { value: 30, source: 'S4' },
}
const UNIT: InstalledUnit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 6 }
const T0 = Date.UTC(2025, 0, 15, 11, 0, 0)
const at = (s: number) => T0 + s * 1000
const r = (channel: ChannelName, s: number, value: number): Reading => ({ deviceId: 'tester-1', channel, ts: at(s), value, receivedAt: at(s) })

/** A clean measurement set: every reading check passes. */
const GOOD: Reading[] = [r('insulation_mohm', 10, 200), r('earth_ohm', 20, 0.8), r('leakage_ma', 30, 0.4), r('voltage_v', 40, 224)]

function run(readings: Reading[], opts: { facts?: Record<string, unknown>; unit?: Partial<InstalledUnit>; stopS?: number; nowS?: number } = {}): StepResult {
  const byChannel: Partial<Record<ChannelName, Reading[]>> = {}
  for (const x of readings) (byChannel[x.channel] ??= []).push(x)
  const stopS = 'stopS' in opts ? opts.stopS : 60
  return evaluateElectrical({
    params: PARAMS,
    unit: { ...UNIT, ...opts.unit },
    window: stopS === undefined ? { start: at(0) } : { start: at(0), stop: at(stopS) },
    now: at(opts.nowS ?? stopS ?? 0),
    facts: opts.facts ?? { dedicatedCircuit: true },
    readings: byChannel,
  })
}
describe('electrical: shape', () => {
  it('seven checks in a fixed order, each with its clause', () => {
    const step = run(GOOD)
    expect(step.id).toBe('electrical')
    expect(step.checks.map((c) => [c.id, c.clause])).toEqual([
      ['insulation', 'S14'],
      ['earth_resistance', 'S4'],
      ['earth_present', 'S4'],
      ['leakage_current', 'S14'],
      ['supply_voltage', 'S4'],
      ['dedicated_circuit', 'S4'],
      ['dedicated_breaker_rcd', 'S4'],
    ])
    expect(step.status).toBe('pass')
    expect(step.checks.every((c) => c.status === 'pass')).toBe(true)
  })
})

describe('electrical: limits (worst reading decides)', () => {
  const cases: { id: string; channel: ChannelName; value: number; status: 'pass' | 'fail'; message: string }[] = [
    { id: 'insulation', channel: 'insulation_mohm', value: 1, status: 'pass', message: 'lowest insulation resistance 1 MΩ (limit >= 1 MΩ)' },
    { id: 'insulation', channel: 'insulation_mohm', value: 0.99, status: 'fail', message: 'lowest insulation resistance 0.99 MΩ breaks the limit >= 1 MΩ: shock and fire hazard, do not power the unit' },
    { id: 'earth_resistance', channel: 'earth_ohm', value: 4, status: 'pass', message: 'highest earth resistance 4 Ω (limit <= 4 Ω)' },
    { id: 'earth_resistance', channel: 'earth_ohm', value: 4.01, status: 'fail', message: 'highest earth resistance 4.01 Ω breaks the limit <= 4 Ω: the earth would not carry a fault current safely' },
    { id: 'leakage_current', channel: 'leakage_ma', value: 3.5, status: 'pass', message: 'highest leakage current 3.5 mA (limit <= 3.5 mA)' },
    { id: 'leakage_current', channel: 'leakage_ma', value: 3.51, status: 'fail', message: 'highest leakage current 3.51 mA breaks the limit <= 3.5 mA: the casing leaks: stop the unit at once (seed §5 ch.5 art.9)' },
  ]
  for (const c of cases) {
    it(`${c.id} ${c.value} → ${c.status}`, () => {
      const step = run([...GOOD.filter((x) => x.channel !== c.channel), r(c.channel, 25, c.value)])
      expect(check(step, c.id)).toMatchObject({ status: c.status, measured: c.value, message: c.message, evidence: [{ channel: c.channel, from: at(25), to: at(25) }] })
      expect(check(step, c.id).severity).toBe(c.status === 'fail' ? 'critical' : undefined)
      expect(step.status).toBe(c.status)
    })
  }

  it('one bad insulation reading among good ones fails; evidence covers the bad ones', () => {
    const readings = [r('insulation_mohm', 5, 50), r('insulation_mohm', 15, 0.5), r('insulation_mohm', 25, 0.7), r('insulation_mohm', 35, 80)]
    expect(check(run(readings), 'insulation')).toMatchObject({ status: 'fail', measured: 0.5, evidence: [{ channel: 'insulation_mohm', from: at(15), to: at(25) }] })
  })
  it('a pass shows the range of all readings', () => {
    expect(check(run([r('leakage_ma', 50, 0.3), r('leakage_ma', 5, 0.2)]), 'leakage_current').evidence).toEqual([{ channel: 'leakage_ma', from: at(5), to: at(50) }])
  })
  it('readings outside the window are ignored', () => {
    const step = run([r('insulation_mohm', -10, 0.1), r('insulation_mohm', 10, 100), r('insulation_mohm', 70, 0.1)])
    expect(check(step, 'insulation')).toMatchObject({ status: 'pass', measured: 100 })
  })
  it('no readings: pending with the window as evidence', () => {
    expect(check(run([]), 'leakage_current')).toMatchObject({
      status: 'pending',
      message: 'no leakage current readings between the start and stop markers',
      evidence: [{ channel: 'leakage_ma', from: at(0), to: at(60) }],
    })
  })
})

describe('electrical: supply voltage (90-110 % of rated)', () => {
  const cases: { name: string; volts: number[]; unit?: Partial<InstalledUnit>; facts?: Record<string, unknown>; status: 'pass' | 'fail'; measured: number; limit: number }[] = [
    { name: '198 V single-phase passes (90 % of 220)', volts: [198], status: 'pass', measured: 198, limit: 198 },
    { name: '197.9 V single-phase fails', volts: [197.9], status: 'fail', measured: 197.9, limit: 198 },
    { name: '242 V single-phase passes (110 % of 220)', volts: [242], status: 'pass', measured: 242, limit: 198 },
    { name: '242.1 V single-phase fails', volts: [230, 242.1], status: 'fail', measured: 242.1, limit: 242 },
    { name: '342 V three-phase passes (90 % of 380)', volts: [342, 418], unit: { phases: 3, capacityHp: 2 }, status: 'pass', measured: 342, limit: 342 },
    { name: '341 V three-phase fails', volts: [341], unit: { phases: 3, capacityHp: 2 }, status: 'fail', measured: 341, limit: 342 },
    { name: 'declared 230 V rating: 207 V passes', volts: [207], facts: { ratedVoltageV: 230 }, status: 'pass', measured: 207, limit: 207 },
    { name: 'declared 230 V rating: 206 V fails', volts: [206], facts: { ratedVoltageV: 230 }, status: 'fail', measured: 206, limit: 207 },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const readings = c.volts.map((v, i) => r('voltage_v', 10 + i, v))
      const x = check(run(readings, { unit: c.unit, facts: c.facts }), 'supply_voltage')
      expect(x).toMatchObject({ status: c.status, measured: c.measured, limit: c.limit, unit: 'V' })
      expect(x.severity).toBe(c.status === 'fail' ? 'major' : undefined)
    })
  }
  it('messages', () => {
    expect(check(run([r('voltage_v', 10, 221), r('voltage_v', 20, 226)]), 'supply_voltage').message).toBe(
      'supply voltage 221-226 V within 198-242 V (90-110 % of single-phase rated voltage 220 V)',
    )
    expect(check(run([r('voltage_v', 10, 185)]), 'supply_voltage').message).toBe(
      'supply voltage fell to 185 V, outside 198-242 V (90-110 % of single-phase rated voltage 220 V): supply unfit for the unit (seed §5 ch.7 art.2)',
    )
  })
  it('a malformed rated voltage fact is pending, not silently replaced by the default', () => {
    expect(check(run([r('voltage_v', 10, 220)], { facts: { ratedVoltageV: '220V' } }), 'supply_voltage')).toMatchObject({ status: 'pending', message: 'start-marker fact "ratedVoltageV" is not understood ("220V")' })
  })
})

describe('electrical: earth present (S4, "no earth wire: refuse to install or power")', () => {
  const refuse = 'refuse to install or power the unit (seed §5 ch.7 art.2)'
  const cases: { name: string; facts: Record<string, unknown>; earth?: number; status: string; message: string }[] = [
    { name: 'declared absent', facts: { earth: false }, status: 'fail', message: `installer declared no earth conductor: no earth wire: ${refuse}` },
    { name: 'declared absent wins over a reading', facts: { earth: false }, earth: 0.5, status: 'fail', message: `installer declared no earth conductor: no earth wire: ${refuse}` },
    { name: 'declared present, no reading', facts: { earth: true }, status: 'pass', message: 'earth conductor declared present by the installer (no earth reading)' },
    { name: 'a reading shows it', facts: {}, earth: 0.5, status: 'pass', message: 'earth conductor present: highest earth reading 0.5 Ω' },
    { name: 'exactly the open-circuit limit is still a conductor', facts: {}, earth: 1000, status: 'pass', message: 'earth conductor present: highest earth reading 1000 Ω' },
    { name: 'open circuit', facts: { earth: true }, earth: 1000.5, status: 'fail', message: `earth reads 1000.5 Ω, an open circuit (above 1000 Ω): no earth wire: ${refuse}` },
    { name: 'nothing known', facts: {}, status: 'pending', message: 'earth conductor not declared yet and no earth reading (start-marker fact "earth" or an earth_ohm reading)' },
    { name: 'malformed fact', facts: { earth: 'yes' }, status: 'pending', message: 'start-marker fact "earth" is not understood ("yes")' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const x = check(run(c.earth === undefined ? [] : [r('earth_ohm', 10, c.earth)], { facts: c.facts }), 'earth_present')
      expect(x).toMatchObject({ status: c.status, message: c.message, clause: 'S4' })
      expect(x.severity).toBe(c.status === 'fail' ? 'critical' : undefined)
    })
  }
})

describe('electrical: dedicated breaker and RCD (S4, >= 3 HP)', () => {
  const all = { dedicatedBreaker: true, rcd: true, rcdRatedMa: 30 }
  const cases: { name: string; hp: number; facts: Record<string, unknown>; status: string; message: string }[] = [
    { name: '2.9 HP: not required', hp: 2.9, facts: {}, status: 'pass', message: 'not required: 2.9 HP is below 3 HP (dedicated breaker and RCD from 3 HP)' },
    { name: '3 HP exactly with both, 30 mA', hp: 3, facts: all, status: 'pass', message: 'dedicated breaker and RCD rated 30 mA declared (3 HP)' },
    { name: '3 HP exactly, nothing declared', hp: 3, facts: {}, status: 'pending', message: '"dedicatedBreaker" not declared yet; "rcd" not declared yet; "rcdRatedMa" not declared yet: a 3 HP unit needs a dedicated breaker and an RCD rated <= 30 mA (seed §5 ch.7 art.2)' },
    { name: '3 HP, RCD 31 mA', hp: 3, facts: { ...all, rcdRatedMa: 31 }, status: 'fail', message: 'RCD rated 31 mA: a 3 HP unit needs a dedicated breaker and an RCD rated <= 30 mA (seed §5 ch.7 art.2)' },
    { name: '5 HP, no dedicated breaker', hp: 5, facts: { ...all, dedicatedBreaker: false }, status: 'fail', message: 'no dedicated breaker: a 5 HP unit needs a dedicated breaker and an RCD rated <= 30 mA (seed §5 ch.7 art.2)' },
    { name: '5 HP, neither', hp: 5, facts: { dedicatedBreaker: false, rcd: false }, status: 'fail', message: 'no dedicated breaker, no RCD: a 5 HP unit needs a dedicated breaker and an RCD rated <= 30 mA (seed §5 ch.7 art.2)' },
    { name: '5 HP, rating missing', hp: 5, facts: { dedicatedBreaker: true, rcd: true }, status: 'pending', message: '"rcdRatedMa" not declared yet: a 5 HP unit needs a dedicated breaker and an RCD rated <= 30 mA (seed §5 ch.7 art.2)' },
    { name: '3 HP, malformed rating', hp: 3, facts: { ...all, rcdRatedMa: '30 mA' }, status: 'pending', message: 'start-marker fact "rcdRatedMa" is not understood ("30 mA"): a 3 HP unit needs a dedicated breaker and an RCD rated <= 30 mA (seed §5 ch.7 art.2)' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const x = check(run(GOOD, { unit: { capacityHp: c.hp }, facts: c.facts }), 'dedicated_breaker_rcd')
      expect(x).toMatchObject({ status: c.status, message: c.message, clause: 'S4' })
      expect(x.severity).toBe(c.status === 'fail' ? 'major' : undefined)
    })
  }
  it('a stopped 3 HP step without the declaration is incomplete, not passed', () => {
    expect(run(GOOD, { unit: { capacityHp: 3 } }).status).toBe('incomplete')
  })
})

describe('electrical: running', () => {
  it('no readings yet: pending, step in progress', () => {
    const step = run([], { stopS: undefined, nowS: 5 })
    expect(step.status).toBe('in_progress')
    expect(check(step, 'insulation')).toMatchObject({ status: 'pending', message: 'no insulation resistance readings yet' })
  })
  it('a failure is final even while running', () => {
    expect(run([r('leakage_ma', 3, 5)], { stopS: undefined, nowS: 5 }).status).toBe('fail')
  })
  it('readings after now are ignored', () => {
    expect(check(run([r('insulation_mohm', 10, 0.2)], { stopS: undefined, nowS: 5 }), 'insulation').status).toBe('pending')
  })
})

describe('ElectricalParamsSchema', () => {
  it('refuses a voltage band upside down', () => {
    expect(ElectricalParamsSchema.safeParse(PARAMS).success).toBe(true)
    expect(ElectricalParamsSchema.safeParse({ ...PARAMS, supplyVoltageMinRatio: { value: 1.2, source: 'x' } }).success).toBe(false)
  })
})

describe('S4: a dedicated branch circuit for every unit (seed §5 ch.7 art.2), not only from 3 HP', () => {
  it.each([
    [1, { dedicatedCircuit: false }, 'fail'],
    [1, {}, 'pending'],
    [1, { dedicatedCircuit: true }, 'pass'],
    [5, { dedicatedCircuit: false, dedicatedBreaker: true, rcd: true, rcdRatedMa: 30 }, 'fail'],
  ] as const)('%s HP with %j → %s', (hp, facts, status) => {
    const c = check(run(GOOD, { unit: { capacityHp: hp }, facts }), 'dedicated_circuit')
    expect(c.status).toBe(status)
    if (status === 'fail') {
      expect(c.severity).toBe('major')
      expect(c.message).toMatch(/every air conditioner needs a dedicated branch circuit \(seed §5 ch\.7 art\.2\)/)
    }
    if (status === 'pending') expect(c.message).toMatch(/start-marker fact "dedicatedCircuit"/)
  })
  it('a 1 HP unit sharing a circuit fails the step although no breaker/RCD is required below 3 HP', () => {
    const step = run(GOOD, { unit: { capacityHp: 1 }, facts: { dedicatedCircuit: false } })
    expect(check(step, 'dedicated_breaker_rcd').status).toBe('pass')
    expect(step.status).toBe('fail')
  })
})
