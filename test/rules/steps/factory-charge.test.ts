import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import type { InstalledUnit } from '../../../contract/job.js'
import type { StepResult } from '../../../rules/result.js'
import { check } from '../helpers/checks.js'
import { ChargeGaugeSchema, evaluateFactoryCharge, type FactoryChargeParams } from '../../../rules/steps/factory-charge.js'

const PARAMS: FactoryChargeParams = {
  indoorMinKpag: { value: 20, source: 'test' },
  outdoorMinKpag: { value: 200, source: 'test' },
}
const UNIT: InstalledUnit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 6 }
const T0 = Date.UTC(2025, 0, 15, 8, 0, 0)
const at = (s: number) => T0 + s * 1000
const LOW: ChannelName = 'pressure_low_kpag'
const HIGH: ChannelName = 'pressure_high_kpag'
const SHORT = { indoor: LOW, outdoor: HIGH }

function series(channel: ChannelName, fromS: number, toS: number, value: number, deviceId = 'manifold-1'): Reading[] {
  const out: Reading[] = []
  for (let s = fromS; s <= toS; s += 5) out.push({ deviceId, channel, ts: at(s), value, receivedAt: at(s) })
  return out
}

function run(readings: Reading[], facts: Record<string, unknown>, opts: { stopS?: number; nowS?: number } = {}): StepResult {
  const byChannel: Partial<Record<ChannelName, Reading[]>> = {}
  for (const r of readings) (byChannel[r.channel] ??= []).push(r)
  return evaluateFactoryCharge({
    params: PARAMS,
    unit: UNIT,
    window: opts.stopS === undefined ? { start: at(0) } : { start: at(0), stop: at(opts.stopS) },
    now: at(opts.nowS ?? opts.stopS ?? 0),
    facts,
    readings: byChannel,
  })
}
describe('factory charge (S17, addendum art.3), stopped', () => {
  const cases: { name: string; indoor: number; outdoor: number; step: string; indoorStatus: string; outdoorStatus: string }[] = [
    { name: 'both charged', indoor: 150, outdoor: 900, step: 'pass', indoorStatus: 'pass', outdoorStatus: 'pass' },
    { name: 'indoor exactly at the minimum passes', indoor: 20, outdoor: 900, step: 'pass', indoorStatus: 'pass', outdoorStatus: 'pass' },
    { name: 'indoor just below fails', indoor: 19.9, outdoor: 900, step: 'fail', indoorStatus: 'fail', outdoorStatus: 'pass' },
    { name: 'outdoor exactly at the minimum passes', indoor: 150, outdoor: 200, step: 'pass', indoorStatus: 'pass', outdoorStatus: 'pass' },
    { name: 'outdoor flat zero fails', indoor: 150, outdoor: 0, step: 'fail', indoorStatus: 'pass', outdoorStatus: 'fail' },
    { name: 'indoor in vacuum fails', indoor: -50, outdoor: 900, step: 'fail', indoorStatus: 'fail', outdoorStatus: 'pass' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run([...series(LOW, 0, 30, c.indoor), ...series(HIGH, 0, 30, c.outdoor)], SHORT, { stopS: 60 })
      expect(step.id).toBe('factory_charge')
      expect(step.status).toBe(c.step)
      expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: c.indoorStatus, measured: c.indoor, limit: 20, unit: 'kPa(g)', clause: 'S17' })
      expect(check(step, 'outdoor_holding_charge')).toMatchObject({ status: c.outdoorStatus, measured: c.outdoor, limit: 200, unit: 'kPa(g)', clause: 'S17' })
      for (const x of step.checks) expect(x.severity).toBe(x.status === 'fail' ? 'major' : undefined)
    })
  }

  it('messages and evidence', () => {
    const step = run([...series(LOW, 0, 30, 150), ...series(HIGH, 10, 40, 0)], SHORT, { stopS: 60 })
    expect(check(step, 'indoor_holding_charge')).toMatchObject({
      message: 'indoor unit holding charge (compressed gas) present: 150 kPa(g) (minimum 20 kPa(g))',
      evidence: [{ channel: LOW, from: at(0), to: at(30) }],
    })
    expect(check(step, 'outdoor_holding_charge')).toMatchObject({
      message: 'outdoor unit lost its refrigerant charge: highest reading 0 kPa(g), minimum 200 kPa(g): internal leak, do not install (addendum art.3)',
      evidence: [{ channel: HIGH, from: at(10), to: at(40) }],
    })
  })

  it('the highest reading decides: the hose filling or the gauge coming off does not fail it', () => {
    const step = run([...series(LOW, 0, 10, 0), ...series(LOW, 15, 20, 140), ...series(LOW, 25, 40, 0), ...series(HIGH, 0, 30, 800)], SHORT, { stopS: 60 })
    expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: 'pass', measured: 140 })
  })

  it('readings outside the window are ignored', () => {
    const step = run([...series(LOW, -60, -5, 150), ...series(LOW, 0, 30, 0), ...series(HIGH, 0, 100, 800)], SHORT, { stopS: 60 })
    expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: 'fail', measured: 0 })
    expect(check(step, 'outdoor_holding_charge').evidence).toEqual([{ channel: HIGH, from: at(0), to: at(60) }])
  })

  it('a declared gauge with no readings stays pending: the step is incomplete, not failed', () => {
    const step = run(series(HIGH, 0, 30, 800), SHORT, { stopS: 60 })
    expect(step.status).toBe('incomplete')
    expect(check(step, 'indoor_holding_charge')).toMatchObject({
      status: 'pending',
      message: 'no readings from pressure_low_kpag on the indoor unit between the start and stop markers',
      evidence: [{ channel: LOW, from: at(0), to: at(60) }],
    })
  })
})

describe('factory charge: declarations', () => {
  it('nothing declared: both pending, step incomplete', () => {
    const step = run(series(LOW, 0, 30, 150), {}, { stopS: 60 })
    expect(step.status).toBe('incomplete')
    expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: 'pending', message: 'which gauge reads the indoor unit is not declared yet (start-marker fact "indoor", e.g. "pressure_low_kpag")' })
    expect(check(step, 'outdoor_holding_charge').status).toBe('pending')
  })

  it('a declaration that is not a pressure gauge is pending with the reason', () => {
    const step = run(series(HIGH, 0, 30, 800), { indoor: 'vacuum_micron', outdoor: HIGH }, { stopS: 60 })
    expect(check(step, 'indoor_holding_charge').status).toBe('pending')
    expect(check(step, 'indoor_holding_charge').message).toMatch(/^start-marker fact "indoor" is not understood: expected "pressure_low_kpag"/)
    expect(check(step, 'outdoor_holding_charge').status).toBe('pass')
  })

  it('one channel, two devices: each side reads its own device', () => {
    const facts = { indoor: { channel: LOW, deviceId: 'manifold-1' }, outdoor: { channel: LOW, deviceId: 'manifold-2' } }
    const step = run([...series(LOW, 0, 30, 120, 'manifold-1'), ...series(LOW, 0, 30, 0, 'manifold-2')], facts, { stopS: 60 })
    expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: 'pass', measured: 120 })
    expect(check(step, 'outdoor_holding_charge')).toMatchObject({ status: 'fail', measured: 0 })
  })

  it('both sides on the same gauge cannot be told apart: pending', () => {
    for (const facts of [{ indoor: LOW, outdoor: LOW }, { indoor: { channel: LOW, deviceId: 'manifold-1' }, outdoor: LOW }]) {
      const step = run(series(LOW, 0, 30, 800), facts, { stopS: 60 })
      expect(step.status).toBe('incomplete')
      for (const c of step.checks) expect(c.status).toBe('pending')
      expect(check(step, 'indoor_holding_charge').message).toMatch(/^indoor and outdoor are declared on the same gauge/)
    }
  })

  it('an attestation shows as a warning and does not fail the step', () => {
    const step = run(series(LOW, 0, 30, 150), { indoor: LOW, outdoor: { attested: true } }, { stopS: 60 })
    expect(step.status).toBe('pass')
    expect(check(step, 'outdoor_holding_charge')).toMatchObject({
      status: 'warn',
      severity: 'minor',
      message: 'outdoor unit refrigerant charge attested by the installer, not shown by a gauge reading',
    })
  })

  it('ChargeGaugeSchema: shorthand, object, attestation; nothing else', () => {
    expect(ChargeGaugeSchema.safeParse(LOW).success).toBe(true)
    expect(ChargeGaugeSchema.safeParse({ channel: HIGH }).success).toBe(true)
    expect(ChargeGaugeSchema.safeParse({ attested: true }).success).toBe(true)
    expect(ChargeGaugeSchema.safeParse({ attested: false }).success).toBe(false)
    expect(ChargeGaugeSchema.safeParse({ channel: 'current_a' }).success).toBe(false)
    expect(ChargeGaugeSchema.safeParse({ channel: LOW, device: 'x' }).success).toBe(false)
  })
})

describe('factory charge: while running', () => {
  it('a low reading stays pending until stop (the hose may not be open yet)', () => {
    const step = run([...series(LOW, 0, 10, 0), ...series(HIGH, 0, 10, 900)], SHORT, { nowS: 12 })
    expect(step.status).toBe('in_progress')
    expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: 'pending', measured: 0, message: 'indoor unit reads at most 0 kPa(g) so far (minimum 20 kPa(g))' })
    expect(check(step, 'outdoor_holding_charge').status).toBe('pass')
  })
  it('no readings yet', () => {
    expect(check(run([], SHORT, { nowS: 5 }), 'outdoor_holding_charge').message).toBe('no readings from pressure_high_kpag on the outdoor unit yet')
  })
  it('readings after now are ignored', () => {
    const step = run([...series(LOW, 0, 10, 0), ...series(LOW, 20, 30, 150)], SHORT, { nowS: 15 })
    expect(check(step, 'indoor_holding_charge')).toMatchObject({ status: 'pending', measured: 0 })
  })
})
