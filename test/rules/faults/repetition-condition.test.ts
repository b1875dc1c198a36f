import { describe, expect, it } from 'vitest'

import type { ConditionTransition } from '../../../rules/faults/condition-time.js'
import {
  initialRepetitionState,
  parseRepetitionState,
  stepRepetition,
  tickRepetition,
  type RepetitionConfig,
  type RepetitionState,
} from '../../../rules/faults/repetition-condition.js'

const MIN = 60_000
const HOUR = 60 * MIN
// "3 times in an hour", gone for an hour clears.
const CFG: RepetitionConfig = { times: 3, withinMs: HOUR, clearMs: HOUR }

function run(times: number[], state = initialRepetitionState(), nows?: number[]) {
  const transitions: ConditionTransition[] = []
  let s = state
  times.forEach((ts, i) => {
    const r = stepRepetition(CFG, s, { ts, value: i }, nows?.[i] ?? ts)
    s = r.state
    for (const t of r.transitions) transitions.push(t)
  })
  return { state: s, transitions }
}
const kinds = (ts: ConditionTransition[]) => ts.map((t) => `${t.kind}@${t.at / MIN}`)

describe('repetition condition: "3 times in an hour"', () => {
  it('the third event exactly an hour after the first raises; a millisecond later does not', () => {
    expect(kinds(run([0, 30 * MIN, 60 * MIN]).transitions)).toEqual(['raise@60'])
    expect(kinds(run([0, 30 * MIN, 60 * MIN + 1]).transitions)).toEqual([])
  })

  it('counts any hour, not clock hours: events at 30, 60+1ms and 70 min raise at 70', () => {
    // [0, 30, 60+1ms] spans more than an hour; [30, 60+1ms, 70] spans 40 min.
    expect(kinds(run([0, 30 * MIN, 60 * MIN + 1, 70 * MIN]).transitions)).toEqual(['raise@70'])
  })

  it('a restart between the 2nd and 3rd event (state through JSON) raises once; another after the raise does not raise again', () => {
    const a = run([0, 10 * MIN])
    const b = run([20 * MIN], parseRepetitionState(JSON.parse(JSON.stringify(a.state)), CFG))
    expect(kinds(b.transitions)).toEqual(['raise@20'])
    const c = run([25 * MIN, 40 * MIN], parseRepetitionState(JSON.parse(JSON.stringify(b.state)), CFG))
    expect(c.transitions.filter((t) => t.kind === 'raise')).toEqual([])
    expect(c.state.count).toBe(5)
  })

  it('clears an hour after the last event, not before; a tick does it without new data', () => {
    const s = run([0, 10 * MIN, 20 * MIN]).state
    expect(tickRepetition(CFG, s, 80 * MIN - 1).transitions).toEqual([])
    const t = tickRepetition(CFG, s, 80 * MIN)
    expect(kinds(t.transitions)).toEqual(['clear@80'])
    // A fresh episode needs 3 new events.
    expect(kinds(run([90 * MIN, 91 * MIN], t.state).transitions)).toEqual([])
  })

  it('an event after a missed tick first clears the old episode, then counts as new', () => {
    const s = run([0, 10 * MIN, 20 * MIN]).state
    const r = run([200 * MIN], s)
    expect(kinds(r.transitions)).toEqual(['clear@80'])
    expect(r.state.recent).toEqual([200 * MIN])
  })

  it('an event storm: 10,000 events give one raise, state keeps at most 3 times', () => {
    let s: RepetitionState = initialRepetitionState()
    let raises = 0
    let updates = 0
    for (let i = 0; i < 10_000; i++) {
      const r = stepRepetition(CFG, s, { ts: i * 100, value: i }, i * 100) // 1,000 s of storm
      s = r.state
      for (const t of r.transitions) t.kind === 'raise' ? raises++ : updates++
    }
    expect(raises).toBe(1)
    // Raised at 200 ms; updates at most once a minute: at 60.2 s, 120.2 s, ... 960.2 s = 16.
    expect(updates).toBe(16)
    expect(s.recent).toHaveLength(3)
    expect(s.count).toBe(10_000)
  })

  it('a device clock jumping back more than the window drops the old times, does not raise twice', () => {
    const active = run([1000 * MIN, 1001 * MIN, 1002 * MIN]).state
    const r = run([5 * MIN, 6 * MIN, 7 * MIN], active, [1003 * MIN, 1004 * MIN, 1005 * MIN])
    expect(r.transitions.filter((t) => t.kind === 'raise')).toEqual([])
    expect(r.state.recent).toEqual([5 * MIN, 6 * MIN, 7 * MIN])
  })

  it('an event slightly out of order takes its place in time', () => {
    const r = run([0, 20 * MIN, 10 * MIN])
    expect(kinds(r.transitions)).toEqual(['raise@10'])
    expect(r.state.recent).toEqual([0, 10 * MIN, 20 * MIN])
  })

  it('a persisted state longer than N is cut back to N; a corrupt one is refused', () => {
    const s = { ...initialRepetitionState(), recent: [1, 2, 3, 4, 5] }
    expect(parseRepetitionState(s, CFG).recent).toEqual([3, 4, 5])
    expect(() => parseRepetitionState({ ...s, recent: 'x' }, CFG)).toThrow(/repetition condition state is not valid: recent:/)
  })
})
