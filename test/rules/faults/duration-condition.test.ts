import { describe, expect, it } from 'vitest'

import type { ConditionTransition } from '../../../rules/faults/condition-time.js'
import {
  initialDurationState,
  parseDurationState,
  stepDuration,
  tickDuration,
  type DurationConfig,
  type DurationState,
} from '../../../rules/faults/duration-condition.js'

const MIN = 60_000
// "above X for 10 min", readings every minute; two missed readings break it.
const CFG: DurationConfig = { forMs: 10 * MIN, maxGapMs: 2 * MIN, clearMs: 10 * MIN }

/** Feeds samples (ts = now unless given) and collects the transitions. */
function run(samples: { ts: number; bad: boolean; value?: number; now?: number }[], state = initialDurationState(), cfg = CFG) {
  const transitions: ConditionTransition[] = []
  let s = state
  for (const x of samples) {
    const r = stepDuration(cfg, s, { ts: x.ts, value: x.value ?? (x.bad ? 9 : 1), bad: x.bad }, x.now ?? x.ts)
    s = r.state
    for (const t of r.transitions) transitions.push(t)
  }
  return { state: s, transitions }
}
const everyMinute = (fromMin: number, toMin: number, bad = true) => {
  const out: { ts: number; bad: boolean }[] = []
  for (let m = fromMin; m <= toMin; m++) out.push({ ts: m * MIN, bad })
  return out
}
const kinds = (ts: ConditionTransition[]) => ts.map((t) => `${t.kind}@${t.at / MIN}`)

describe('duration condition: "above X for 10 min"', () => {
  it('raises exactly when the condition has held 10 minutes, not a minute before, and once', () => {
    expect(kinds(run(everyMinute(0, 9)).transitions)).toEqual([])
    const r = run(everyMinute(0, 10))
    expect(kinds(r.transitions)).toEqual(['raise@10'])
    expect(r.transitions[0]).toMatchObject({ since: 0, count: 11, value: 9 })
  })

  it('a good reading in between starts the 10 minutes again', () => {
    const r = run([...everyMinute(0, 5), { ts: 6 * MIN, bad: false }, ...everyMinute(7, 17)])
    expect(kinds(r.transitions)).toEqual(['raise@17'])
  })

  it('a gap longer than maxGap breaks it; a gap of exactly maxGap does not', () => {
    // 0..4, then nothing until 7 (3 min apart > 2): starts again at 7, raises at 17.
    expect(kinds(run([...everyMinute(0, 4), ...everyMinute(7, 17)]).transitions)).toEqual(['raise@17'])
    // 0..4, then 6 (2 min apart = maxGap): continuous, raises at 10.
    expect(kinds(run([...everyMinute(0, 4), ...everyMinute(6, 10)]).transitions)).toEqual(['raise@10'])
  })

  it('a restart in the middle (state through JSON) neither forgets the elapsed half nor fires twice', () => {
    const first = run(everyMinute(0, 5))
    const restored = parseDurationState(JSON.parse(JSON.stringify(first.state)))
    const second = run(everyMinute(6, 10), restored)
    expect(kinds(second.transitions)).toEqual(['raise@10'])
    // And after the raise: a second restart, the fault still bad for 20 more minutes: no new raise.
    const again = parseDurationState(JSON.parse(JSON.stringify(second.state)))
    const third = run(everyMinute(11, 30), again)
    expect(third.transitions.filter((t) => t.kind === 'raise')).toEqual([])
    // Updates at most once a minute of sample time: the readings here are exactly a minute apart.
    expect(third.transitions.every((t) => t.kind === 'update')).toBe(true)
  })

  it('refuses a corrupt persisted state with the field that is wrong', () => {
    expect(() => parseDurationState({ ...initialDurationState(), phase: 'armed' })).toThrow(/duration condition state is not valid: phase:/)
    expect(() => parseDurationState({ ...initialDurationState(), extra: 1 })).toThrow(/not valid/)
  })

  it('clears after 10 minutes of good readings, counted from the first good one', () => {
    // Good from minute 11: at 20 only 9 minutes of good readings.
    expect(kinds(run([...everyMinute(0, 10), ...everyMinute(11, 20, false)]).transitions)).toEqual(['raise@10'])
    const r2 = run([...everyMinute(0, 10), ...everyMinute(11, 21, false)])
    expect(kinds(r2.transitions)).toEqual(['raise@10', 'clear@21'])
    expect(r2.state.phase).toBe('idle')
  })

  it('a bad reading while clearing makes it active again without a new raise', () => {
    const r = run([...everyMinute(0, 10), ...everyMinute(11, 15, false), { ts: 16 * MIN, bad: true }, ...everyMinute(17, 26, false)])
    // Good 11-15, bad at 16 (active again: an update, 6 min after the raise), good from 17: at 26 only 9 min.
    expect(kinds(r.transitions)).toEqual(['raise@10', 'update@16'])
    expect(kinds(run([{ ts: 27 * MIN, bad: false }], r.state).transitions)).toEqual(['clear@27'])
  })

  it('silence does not clear a threshold fault, and a gap while clearing puts it back to active', () => {
    const active = run([...everyMinute(0, 10), ...everyMinute(11, 15, false)]).state
    expect(active.phase).toBe('clearing')
    const t = tickDuration(CFG, active, 200 * MIN)
    expect(t.transitions).toEqual([])
    expect(t.state.phase).toBe('active')
  })

  it('a tick after a gap drops a half-made duration', () => {
    const pending = run(everyMinute(0, 5)).state
    expect(tickDuration(CFG, pending, 7 * MIN).state.phase).toBe('pending') // 2 min after the last: not a gap yet
    expect(tickDuration(CFG, pending, 7 * MIN + 1).state.phase).toBe('idle')
  })

  it('with clearOnSilence, clears once no bad sample has come for clearMs (gateway clock)', () => {
    const cfg = { ...CFG, forMs: 0, clearOnSilence: true }
    const r = run([{ ts: 0, bad: true }], initialDurationState(), cfg)
    expect(kinds(r.transitions)).toEqual(['raise@0'])
    expect(tickDuration(cfg, r.state, 10 * MIN - 1).transitions).toEqual([])
    expect(kinds(tickDuration(cfg, r.state, 10 * MIN).transitions)).toEqual(['clear@10'])
  })

  it('a device clock ahead of the gateway cannot complete 10 minutes early', () => {
    // Device time says +1 h from the second reading on; the gateway clock moves a minute per reading.
    const samples = [{ ts: 0, bad: true, now: 0 }]
    for (let m = 1; m <= 10; m++) samples.push({ ts: 60 * MIN + m * MIN, bad: true, now: m * MIN })
    expect(kinds(run(samples).transitions)).toEqual(['raise@10'])
  })

  it('a device clock jumping back a day neither raises again nor freezes the condition', () => {
    const active = run(everyMinute(1440, 1450)).state // raised at minute 1450
    const back = run([...everyMinute(0, 5), ...everyMinute(6, 15, false)], active)
    expect(back.transitions.filter((t) => t.kind === 'raise')).toEqual([])
    // Good readings on the new clock from minute 6: cleared at 16, 10 min later.
    expect(kinds(run([{ ts: 16 * MIN, bad: false }], back.state).transitions)).toEqual(['clear@16'])
  })

  it('a reading slightly out of order is ignored, not taken as a clock jump', () => {
    const s = run(everyMinute(0, 5)).state
    const r = stepDuration(CFG, s, { ts: 4.5 * MIN, value: 1, bad: false }, 5 * MIN)
    expect(r.state).toEqual(s)
  })

  it('a storm of 10,000 bad readings gives one raise, a bounded number of updates and a constant-size state', () => {
    const cfg = { ...CFG, forMs: 0 }
    let s: DurationState = initialDurationState()
    let raises = 0
    let updates = 0
    // 10,000 readings 10 ms apart: 100 s of storm, rising values.
    for (let i = 0; i < 10_000; i++) {
      const r = stepDuration(cfg, s, { ts: i * 10, value: 100 + i, bad: true }, i * 10)
      s = r.state
      for (const t of r.transitions) t.kind === 'raise' ? raises++ : updates++
    }
    expect(raises).toBe(1)
    // Updates once a minute after the raise at 0: at 60 s only (the storm ends at 99.99 s).
    expect(updates).toBe(1)
    expect(s.count).toBe(10_000)
    expect(s.peak).toBe(10_099)
    expect(s.worst).toBe(10_099)
    expect(JSON.stringify(s).length).toBeLessThan(300)
  })
})
