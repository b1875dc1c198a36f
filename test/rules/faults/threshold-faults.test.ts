import { describe, expect, it } from 'vitest'

import { leakageFault } from '../../../rules/faults/leakage-fault.js'
import { overCurrentFault } from '../../../rules/faults/over-current-fault.js'
import { supplyVoltageFault } from '../../../rules/faults/supply-voltage-fault.js'
import { faults, feed, kinds, reading, restart, series, UNIT } from './faults-fixture.js'

const F = faults()

describe('leakage fault (S14, critical, 3.5 mA)', () => {
  const ev = leakageFault(F, UNIT)!

  it('exactly 3.5 mA is not a fault; 3.51 mA raises at once, critical, with its clause and source', () => {
    expect(feed(ev, series('leakage_ma', 0, 600, 60, 3.5)).transitions).toEqual([])
    const r = feed(ev, [{ input: reading('leakage_ma', 1000, 3.51), now: 1000 }])
    expect(r.transitions).toHaveLength(1)
    expect(r.transitions[0]).toMatchObject({ kind: 'raise', fault: 'leakage', severity: 'critical', value: 3.51, limit: 3.5, unit: 'mA', clause: 'S14', deviceId: 'unit-1' })
    expect(r.transitions[0]!.source).toContain('IEC 60335-1')
    expect(r.transitions[0]!.message).toContain('3.51 mA')
  })

  it('ignores other channels and other devices', () => {
    expect(feed(ev, [{ input: reading('current_a', 0, 99), now: 0 }, { input: reading('leakage_ma', 0, 50, 'meter-9'), now: 0 }]).transitions).toEqual([])
  })

  it('a storm of 10,000 readings at 5 mA: one raise, the updates once a minute, a small state', () => {
    // 10,000 readings 10 ms apart = 100 s: raise at 0, one update at 60 s.
    const inputs = []
    for (let i = 0; i < 10_000; i++) inputs.push({ input: reading('leakage_ma', i * 10, 5), now: i * 10 })
    const r = feed(ev, inputs)
    expect(kinds(r.transitions)).toEqual(['raise@0', 'update@60'])
    expect(r.transitions[1]!.count).toBe(6001)
    expect(JSON.stringify(r.state).length).toBeLessThan(300)
  })

  it('clears after the pack auto-clear time (600 s) of good readings, from the first good one', () => {
    const r = feed(ev, [...series('leakage_ma', 0, 0, 60, 5), ...series('leakage_ma', 60, 660, 60, 1)])
    expect(kinds(r.transitions)).toEqual(['raise@0', 'clear@660'])
    expect(r.transitions[1]).toMatchObject({ value: 1, peak: 5, fault: 'leakage' })
    expect(r.transitions[1]!.message).toBe('leakage current back at or below 3.5 mA for 600 s (last 1 mA)')
  })
})

describe('over-current fault (1.1 × nameplate for 600 s)', () => {
  it('rated 10 A: 11.0 A (the limit) for 20 min is nothing; 11.1 A raises after exactly 600 s', () => {
    const ev = overCurrentFault(F, UNIT)!
    expect(feed(ev, series('current_a', 0, 1200, 60, 11)).transitions).toEqual([])
    const r = feed(ev, series('current_a', 0, 600, 60, 11.1))
    expect(kinds(r.transitions)).toEqual(['raise@600'])
    expect(r.transitions[0]).toMatchObject({ fault: 'over_current', severity: 'major', limit: 11, value: 11.1, since: 0 })
  })

  it('a reading exactly at a computed limit is at it, not past it (1.5 A × 1.2 is 1.7999999999999998 in floating point)', () => {
    const pack = { ...F, overCurrent: { ...F.overCurrent!, maxRatioOfRated: { value: 1.2, source: 'test' } } }
    const ev = overCurrentFault(pack, { ...UNIT, ratedCurrentA: 1.5 })!
    expect(feed(ev, series('current_a', 0, 1200, 60, 1.8)).transitions).toEqual([])
    expect(feed(ev, series('current_a', 0, 600, 60, 1.81)).transitions[0]).toMatchObject({ kind: 'raise', limit: 1.8 })
  })

  it('with a nameplate maximum of 12 A the limit is 13.2 A', () => {
    const ev = overCurrentFault(F, { ...UNIT, maxCurrentA: 12 })!
    expect(feed(ev, series('current_a', 0, 1200, 60, 13.2)).transitions).toEqual([])
    expect(feed(ev, series('current_a', 0, 600, 60, 13.3)).transitions[0]).toMatchObject({ kind: 'raise', at: 600_000, limit: 13.2 })
  })

  it('a gateway restart 5 minutes in: raised at 600 s, once, not at 900 s and not twice', () => {
    const ev = overCurrentFault(F, UNIT)!
    const a = feed(ev, series('current_a', 0, 300, 60, 12))
    expect(a.transitions).toEqual([])
    const b = feed(ev, series('current_a', 360, 1200, 60, 12), restart(ev, a.state))
    expect(b.transitions.filter((t) => t.kind === 'raise').map((t) => t.at)).toEqual([600_000])
    const c = feed(ev, series('current_a', 1260, 1800, 60, 12), restart(ev, b.state))
    expect(c.transitions.filter((t) => t.kind === 'raise')).toEqual([])
  })

  it('a reading gap longer than 120 s starts the 600 s again', () => {
    const ev = overCurrentFault(F, UNIT)!
    // 0..300 every 60 s, then nothing until 480 (180 s gap): again from 480, raise at 1080.
    const r = feed(ev, [...series('current_a', 0, 300, 60, 12), ...series('current_a', 480, 1080, 60, 12)])
    expect(kinds(r.transitions)).toEqual(['raise@1080'])
  })
})

describe('supply voltage fault (90-110 % of rated for 60 s)', () => {
  it('single-phase 220 V: 198 V and 242 V are inside; 197.9 V for 60 s raises against 198 V', () => {
    const ev = supplyVoltageFault(F, UNIT)!
    expect(feed(ev, [...series('voltage_v', 0, 300, 30, 198), ...series('voltage_v', 330, 600, 30, 242)]).transitions).toEqual([])
    const r = feed(ev, series('voltage_v', 0, 60, 30, 197.9))
    expect(kinds(r.transitions)).toEqual(['raise@60'])
    expect(r.transitions[0]).toMatchObject({ fault: 'supply_voltage', clause: 'S4', limit: 198, value: 197.9 })
  })

  it('over-voltage is judged against the upper end', () => {
    const ev = supplyVoltageFault(F, UNIT)!
    expect(feed(ev, series('voltage_v', 0, 60, 30, 242.5)).transitions[0]).toMatchObject({ kind: 'raise', limit: 242 })
  })

  it('three-phase uses 380 V (342-418 V); a declared nameplate voltage overrides', () => {
    const three = supplyVoltageFault(F, { ...UNIT, phases: 3 })!
    expect(feed(three, series('voltage_v', 0, 120, 30, 342)).transitions).toEqual([])
    expect(feed(three, series('voltage_v', 0, 60, 30, 341)).transitions).toHaveLength(1)
    const declared = supplyVoltageFault(F, { ...UNIT, ratedVoltageV: 230 })!
    // 230 × 0.9 = 207: 205 V is out although it is inside 198-242.
    expect(feed(declared, series('voltage_v', 0, 60, 30, 205)).transitions[0]).toMatchObject({ limit: 207 })
  })

  it('a pack without the section gives no evaluator', () => {
    const { supplyVoltage: _omit, ...rest } = F
    expect(supplyVoltageFault(rest, UNIT)).toBeUndefined()
  })
})
