import { describe, expect, it } from 'vitest'

import { errorCodeFault, type ErrorCodeReport } from '../../../rules/faults/error-code-fault.js'
import { faults, feed, kinds, restart, UNIT } from './faults-fixture.js'

const ev = errorCodeFault(faults(), UNIT)!
const rep = (s: number, ...codes: string[]) => ({ input: { deviceId: 'unit-1', ts: s * 1000, codes } satisfies ErrorCodeReport, now: s * 1000 })

describe('error-code fault (Gree table in the fixture pack)', () => {
  it('E1 raises high_pressure_protection, major, with the manual row as its source', () => {
    const r = feed(ev, [rep(0, 'E1')])
    expect(r.transitions).toHaveLength(1)
    expect(r.transitions[0]).toMatchObject({ kind: 'raise', fault: 'high_pressure_protection', severity: 'major', code: 'E1', textKey: 'fault.gree.e1', clause: 'faults.errorCodes' })
    expect(r.transitions[0]!.source).toContain("3.4.1: 'E1' compressor high pressure protection")
  })

  it('two codes at once are two faults; a code the table lacks is raised as unmapped, a warning, naming the manual', () => {
    const r = feed(ev, [rep(0, 'E1', 'E6', 'P9')])
    expect(r.transitions.map((t) => `${t.fault}:${t.code}:${t.severity}`).sort()).toEqual(['communication_error:E6:minor', 'high_pressure_protection:E1:major', 'unmapped_error_code:P9:warning'])
    expect(r.transitions.find((t) => t.code === 'P9')!.message).toContain('GREE U-Match 5 Series unit service manual')
  })

  it('a storm of 10,000 E1 reports: one raise, updates at most once a minute, a state of one fault', () => {
    const inputs = []
    for (let i = 0; i < 10_000; i++) inputs.push(rep(i / 100, 'E1')) // 100 per second: 100 s
    const r = feed(ev, inputs)
    expect(kinds(r.transitions)).toEqual(['raise@0', 'update@60'])
    expect(Object.keys(r.state.byFault)).toEqual(['high_pressure_protection'])
    expect(JSON.stringify(r.state).length).toBeLessThan(400)
  })

  it('clears after 1800 s of reports without the code, counted from the first such report', () => {
    const inputs = [rep(0, 'E1')]
    for (let s = 60; s <= 1860; s += 60) inputs.push(rep(s))
    const r = feed(ev, inputs)
    expect(kinds(r.transitions)).toEqual(['raise@0', 'clear@1860'])
    expect(r.state.byFault).toEqual({})
  })

  it('clears when the code has not come again for 1800 s, without any report (tick)', () => {
    const s = feed(ev, [rep(0, 'E1')]).state
    expect(ev.tick(s, 1_799_999).transitions).toEqual([])
    const t = ev.tick(s, 1_800_000)
    expect(kinds(t.transitions)).toEqual(['clear@1800'])
    expect(t.transitions[0]).toMatchObject({ fault: 'high_pressure_protection', code: 'E1' })
  })

  it('a restart while E1 is active: no second raise', () => {
    const a = feed(ev, [rep(0, 'E1')])
    const b = feed(ev, [rep(30, 'E1'), rep(60, 'E1')], restart(ev, a.state))
    expect(b.transitions.filter((t) => t.kind === 'raise')).toEqual([])
  })

  it('reports of another device are ignored; a corrupt state is refused', () => {
    expect(ev.step(ev.initial(), { deviceId: 'x', ts: 0, codes: ['E1'] }, 0).transitions).toEqual([])
    expect(() => ev.parseState({ byFault: 3, codeOf: {} })).toThrow(/error-code fault state is not valid: byFault/)
  })
})
