import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import type { InstalledUnit } from '../../../contract/job.js'
import type { StepResult } from '../../../rules/result.js'
import { check } from '../helpers/checks.js'
import { evaluatePowerTest, PowerTestParamsSchema, type PowerTestParams } from '../../../rules/steps/power-test.js'

const PARAMS: PowerTestParams = {
  runningCurrentMinA: { value: 0.1, source: 'test' },
  minRunS: { value: 60, source: 'S2' },
  maxGapS: { value: 10, source: 'test' },
}
const UNIT: InstalledUnit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 6 }
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0)
const at = (s: number) => T0 + s * 1000

function series(fromS: number, toS: number, stepS: number, value = 0.3, channel: ChannelName = 'current_a'): Reading[] {
  const out: Reading[] = []
  for (let s = fromS; s <= toS; s += stepS) out.push({ deviceId: 'clamp-1', channel, ts: at(s), value, receivedAt: at(s) })
  return out
}

function run(current: Reading[], opts: { stopS?: number; nowS?: number } = {}): StepResult {
  return evaluatePowerTest({
    params: PARAMS,
    unit: UNIT,
    window: opts.stopS === undefined ? { start: at(0) } : { start: at(0), stop: at(opts.stopS) },
    now: at(opts.nowS ?? opts.stopS ?? 0),
    facts: {},
    readings: { current_a: current },
  })
}
const powered = (step: StepResult) => check(step, 'powered')

describe('power test: powered (S2, seed §5 ch.7 art.4), stopped', () => {
  const cases: { name: string; readings: Reading[]; stopS: number; status: 'pass' | 'fail'; measured: number; message: string }[] = [
    { name: 'exactly 60 s passes', readings: series(0, 60, 5), stopS: 70, status: 'pass', measured: 60, message: 'indoor unit ran 1:00 continuously before installation (required 1:00 at >= 0.1 A)' },
    { name: '55 s fails', readings: series(0, 55, 5), stopS: 70, status: 'fail', measured: 55, message: 'the indoor unit ran only 0:55 continuously (required 1:00 at >= 0.1 A)' },
    { name: 'a 10 s gap keeps continuity', readings: [...series(0, 30, 5), ...series(40, 90, 5)], stopS: 100, status: 'pass', measured: 90, message: 'indoor unit ran 1:30 continuously before installation (required 1:00 at >= 0.1 A)' },
    { name: 'an 11 s gap breaks it', readings: [...series(0, 30, 5), ...series(41, 96, 5)], stopS: 100, status: 'fail', measured: 55, message: 'the indoor unit ran only 0:55 continuously (required 1:00 at >= 0.1 A)' },
    { name: 'exactly the threshold counts as running', readings: series(0, 60, 5, 0.1), stopS: 60, status: 'pass', measured: 60, message: 'indoor unit ran 1:00 continuously before installation (required 1:00 at >= 0.1 A)' },
    { name: 'a dead unit never runs', readings: series(0, 120, 5, 0.02), stopS: 120, status: 'fail', measured: 0, message: 'the indoor unit never ran: highest current 0.02 A stayed below 0.1 A (dead or faulty unit?)' },
    {
      name: 'no readings at all',
      readings: [],
      stopS: 120,
      status: 'fail',
      measured: 0,
      message: 'no current readings between the start and stop markers: the indoor unit was not shown to run before installation (required 1:00 at >= 0.1 A)',
    },
    { name: 'readings after stop are ignored', readings: series(0, 300, 5), stopS: 50, status: 'fail', measured: 50, message: 'the indoor unit ran only 0:50 continuously (required 1:00 at >= 0.1 A)' },
    { name: 'readings before start are ignored', readings: series(-100, 40, 5), stopS: 100, status: 'fail', measured: 40, message: 'the indoor unit ran only 0:40 continuously (required 1:00 at >= 0.1 A)' },
    {
      name: 'a non-running reading breaks the run',
      readings: [...series(0, 30, 5), ...series(35, 35, 5, 0.01), ...series(40, 90, 5)],
      stopS: 100,
      status: 'fail',
      measured: 50,
      message: 'the indoor unit ran only 0:50 continuously (required 1:00 at >= 0.1 A)',
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run(c.readings, { stopS: c.stopS })
      const check = powered(step)
      expect(step.id).toBe('power_test')
      expect(step.status).toBe(c.status)
      expect(check).toMatchObject({ status: c.status, measured: c.measured, limit: 60, unit: 's', clause: 'S2', message: c.message })
      expect(check.severity).toBe(c.status === 'fail' ? 'major' : undefined)
    })
  }

  it('evidence is the longest run, or the window when there is none', () => {
    expect(powered(run([...series(0, 20, 5), ...series(40, 110, 5)], { stopS: 120 })).evidence).toEqual([{ channel: 'current_a', from: at(40), to: at(110) }])
    expect(powered(run([], { stopS: 120 })).evidence).toEqual([{ channel: 'current_a', from: at(0), to: at(120) }])
  })

  it('sorts unsorted input and does not mutate it', () => {
    const readings = series(0, 60, 5).reverse()
    const copy = [...readings]
    expect(powered(run(readings, { stopS: 60 })).status).toBe('pass')
    expect(readings).toEqual(copy)
  })

  it('ignores readings of another channel filed under current_a', () => {
    const step = run(series(0, 60, 5, 3, 'leakage_ma'), { stopS: 60 })
    expect(powered(step).message).toMatch(/^no current readings/)
  })
})

describe('power test: while running', () => {
  it('no readings yet: pending, step in progress', () => {
    const step = run([], { nowS: 5 })
    expect(step.status).toBe('in_progress')
    expect(powered(step)).toMatchObject({ status: 'pending', measured: 0, message: 'power test: no current readings yet (required 1:00 at >= 0.1 A)' })
  })
  it('30 s so far: pending with progress', () => {
    const step = run(series(0, 30, 5), { nowS: 31 })
    expect(step.status).toBe('in_progress')
    expect(powered(step)).toMatchObject({ status: 'pending', measured: 30, message: 'power test: longest run so far 0:30 (required 1:00 at >= 0.1 A)' })
    expect(powered(step).severity).toBeUndefined()
  })
  it('a dead unit is not failed before the stop marker', () => {
    expect(powered(run(series(0, 120, 5, 0), { nowS: 120 })).status).toBe('pending')
  })
  it('60 s reached: the check passes, the step stays in progress until stopped', () => {
    const step = run(series(0, 60, 5), { nowS: 61 })
    expect(powered(step).status).toBe('pass')
    expect(step.status).toBe('in_progress')
  })
  it('readings dated after now are ignored', () => {
    expect(powered(run(series(0, 120, 5), { nowS: 40 })).measured).toBe(40)
  })
})

describe('PowerTestParamsSchema', () => {
  it('accepts sourced values and refuses a missing source or an unknown key', () => {
    expect(PowerTestParamsSchema.safeParse(PARAMS).success).toBe(true)
    expect(PowerTestParamsSchema.safeParse({ ...PARAMS, minRunS: { value: 60 } }).success).toBe(false)
    expect(PowerTestParamsSchema.safeParse({ ...PARAMS, minRunSec: { value: 60, source: 'x' } }).success).toBe(false)
    expect(PowerTestParamsSchema.safeParse({ ...PARAMS, runningCurrentMinA: { value: 0, source: 'x' } }).success).toBe(false)
  })
})
