import { describe, expect, it } from 'vitest'

import type { Reading } from '../../../contract/reading.js'
import { refrigerantLossFault, refrigerantTrendJudgement } from '../../../rules/faults/refrigerant-loss-fault.js'
import { leastSquaresSlope } from '../../../rules/faults/refrigerant-trend.js'
import { saturationPressureKpaG } from '../../../rules/refrigerants/index.js'
import { faults, feed, reading, restart, UNIT } from './faults-fixture.js'

const F = faults()
const P = F.refrigerantLoss!
const DAY = 86_400_000
const HOUR = 3_600_000

interface Day {
  /** Suction pressure, kPa(g). */
  kpag: number
  outdoorC?: number
  currentA?: number
}

/** Three paired samples a day (10:00, 12:00, 14:00), pressure first, then outdoor and current 10 s later. */
function days(list: readonly Day[], firstDay = 0): { input: Reading; now: number }[] {
  const out: { input: Reading; now: number }[] = []
  list.forEach((d, i) => {
    for (const h of [10, 12, 14]) {
      const t = (firstDay + i) * DAY + h * HOUR
      out.push({ input: reading('pressure_low_kpag', t, d.kpag), now: t })
      if (d.outdoorC !== undefined) out.push({ input: reading('temp_outdoor_c', t + 10_000, d.outdoorC), now: t + 10_000 })
      out.push({ input: reading('current_a', t + 10_000, d.currentA ?? 5), now: t + 10_000 })
    }
  })
  return out
}
/** R32 dew pressure at tempC, kPa(g), from the saturation tables (input data, not the expectation). */
const r32 = (tempC: number) => {
  const r = saturationPressureKpaG('R32', tempC, 'dew')
  if (!r.ok) throw new Error(r.message)
  return r.value
}
/** The first reading of the day after, which triggers the judgement. */
const nextDay = (d: number) => [{ input: reading('current_a', d * DAY + 8 * HOUR, 0), now: d * DAY + 8 * HOUR }]

describe('refrigerant-loss trend (warning)', () => {
  const ev = refrigerantLossFault(F, UNIT)!

  it('uses the real saturation relation: R32 table rows 10, 10, 5, 5, 0 °C over five days fall 2.5 K/day', () => {
    // R32 rows (rules/refrigerants/r32.ts, kPa abs − 101.325): 10 °C 1005.585, 5 °C 850.125, 0 °C 711.775 kPa(g).
    // Slope by hand: x 0..4 (mean 2), y 10,10,5,5,0 (mean 6): Σ(x−2)(y−6) = −8 −4 +0 −1 −12 = −25, Σ(x−2)² = 10.
    const r = feed(ev, [...days([1005.585, 1005.585, 850.125, 850.125, 711.775].map((kpag) => ({ kpag, outdoorC: 30 }))), ...nextDay(5)])
    expect(r.transitions).toHaveLength(1)
    const t = r.transitions[0]!
    expect(t).toMatchObject({ kind: 'raise', fault: 'refrigerant_loss', severity: 'warning', count: 5, limit: -0.3, at: 5 * DAY + 8 * HOUR })
    expect(t.value).toBeCloseTo(-2.5, 6)
    expect(t.message).toContain('outdoor 30-32 °C')
  })

  it('a slow fall of 0.5 K/day raises; 0.2 K/day (inside the 0.3 limit) does not', () => {
    const falling = [0, 1, 2, 3, 4, 5].map((d) => ({ kpag: r32(10 - 0.5 * d), outdoorC: 30.5 }))
    const r = feed(ev, [...days(falling), ...nextDay(6)])
    // Judged as each day starts: day 5 sees days 0-4 (5 days, enough): raise; day 6 sees 0-5: update.
    expect(r.transitions.map((t) => `${t.kind}@${Math.floor(t.at / DAY)}`)).toEqual(['raise@5', 'update@6'])
    expect(r.transitions[0]!.value).toBeCloseTo(-0.5, 6)
    expect(r.transitions[1]!.value).toBeCloseTo(-0.5, 6)
    const slow = [0, 1, 2, 3, 4, 5].map((d) => ({ kpag: r32(10 - 0.2 * d), outdoorC: 30.5 }))
    const s = feed(ev, [...days(slow), ...nextDay(6)])
    expect(s.transitions).toEqual([])
    expect(refrigerantTrendJudgement(P, s.state)).toMatchObject({ status: 'steady', days: 6 })
  })

  it('compares only days at comparable outdoor temperature: a cooler week is not a leak', () => {
    // Five days at 35 °C outdoor, Tsat 12 °C; then five at 20 °C, Tsat 8 °C. All ten in one line
    // would fall; within each 2 K bin the line is flat.
    const hot = [0, 1, 2, 3, 4].map(() => ({ kpag: r32(12), outdoorC: 35 }))
    const cool = [0, 1, 2, 3, 4].map(() => ({ kpag: r32(8), outdoorC: 20 }))
    const r = feed(ev, [...days([...hot, ...cool]), ...nextDay(10)])
    expect(r.transitions).toEqual([])
    const j = refrigerantTrendJudgement(P, r.state)
    expect(j).toMatchObject({ status: 'steady', days: 5, binFromC: 20, binToC: 22 })
    if (j.status === 'steady') expect(j.slopeKPerDay).toBeCloseTo(0, 9)
  })

  it('says what it could not judge instead of guessing', () => {
    const noOutdoor = feed(ev, [...days([0, 1, 2, 3, 4, 5].map((d) => ({ kpag: r32(10 - d) }))), ...nextDay(6)])
    expect(noOutdoor.transitions).toEqual([])
    expect(refrigerantTrendJudgement(P, noOutdoor.state)).toMatchObject({ status: 'cannot_judge', reason: 'no_outdoor_temperature' })

    const fourDays = feed(ev, [...days([0, 1, 2, 3].map((d) => ({ kpag: r32(10 - d), outdoorC: 30 }))), ...nextDay(4)])
    expect(fourDays.transitions).toEqual([])
    const j = refrigerantTrendJudgement(P, fourDays.state)
    expect(j).toMatchObject({ status: 'cannot_judge', reason: 'too_few_days', days: 4 })
    expect(j.message).toContain('4 day(s)')
    expect(j.message).toContain('5 needed')

    const stopped = feed(ev, days([0, 1, 2, 3, 4, 5].map((d) => ({ kpag: r32(10 - d), outdoorC: 30, currentA: 0.1 }))))
    expect(refrigerantTrendJudgement(P, stopped.state)).toMatchObject({ status: 'cannot_judge', reason: 'not_running' })

    const unknownGas = refrigerantLossFault(F, { ...UNIT, refrigerant: 'R1234yf' })!
    const u = feed(unknownGas, days([0, 1, 2, 3, 4, 5].map(() => ({ kpag: 500, outdoorC: 30 }))))
    const ju = refrigerantTrendJudgement(P, u.state)
    expect(ju).toMatchObject({ status: 'cannot_judge', reason: 'no_saturation' })
    expect(ju.message).toContain('no saturation table for refrigerant "R1234yf"')
  })

  it('a restart in the middle of the days raises once; the next falling day updates', () => {
    const falling = [0, 1, 2, 3, 4, 5, 6].map((d) => ({ kpag: r32(10 - 0.5 * d), outdoorC: 30 }))
    const a = feed(ev, days(falling.slice(0, 3)))
    const b = feed(ev, [...days(falling.slice(3, 6), 3), ...days(falling.slice(6), 6)], restart(ev, a.state))
    // Day 3 judges days 0-2, day 4 days 0-3 (too few); day 5 days 0-4: raise; day 6: update.
    expect(b.transitions.map((t) => `${t.kind}@${Math.floor(t.at / DAY)}`)).toEqual(['raise@5', 'update@6'])
  })

  it('keeps at most windowDays of days: 60 days of data hold 30 entries', () => {
    const r = feed(ev, days(Array.from({ length: 60 }, () => ({ kpag: r32(10), outdoorC: 30 }))))
    expect(r.state.entries).toHaveLength(30)
    expect(r.state.entries[0]!.day).toBe(30)
  })

  it('least squares by hand: y = 3 − 2x through four points has slope −2', () => {
    expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: 3 - 2 * x })))).toBe(-2)
    expect(leastSquaresSlope([{ x: 1, y: 1 }])).toBeUndefined()
  })
})
