import { describe, it, expect } from 'vitest'
import type { Reading } from '../../../../contract/reading.js'
import { channelReadings, mean, median, pairNearest, span } from '../../../../rules/steps/test-run/series.js'

const r = (ts: number, value = 0, channel: Reading['channel'] = 'temp_suction_c'): Reading => ({ deviceId: 'd', channel, ts, value, receivedAt: ts })
const tsPairs = (a: Reading[], b: Reading[], gap: number) => pairNearest(a, b, gap).map((p) => [p.a.ts, p.b.ts])

describe('pairNearest', () => {
  const cases: { name: string; a: number[]; b: number[]; gap: number; pairs: number[][] }[] = [
    { name: 'same instants', a: [0, 10, 20], b: [0, 10, 20], gap: 5, pairs: [[0, 0], [10, 10], [20, 20]] },
    { name: 'nearest, either side', a: [10, 20], b: [8, 13, 22], gap: 5, pairs: [[10, 8], [20, 22]] },
    { name: 'a tie goes to the earlier', a: [10], b: [5, 15], gap: 5, pairs: [[10, 5]] },
    { name: 'exactly maxGap pairs', a: [0], b: [60], gap: 60, pairs: [[0, 60]] },
    { name: 'beyond maxGap does not', a: [0], b: [61], gap: 60, pairs: [] },
    { name: 'no b at all', a: [0, 1], b: [], gap: 60, pairs: [] },
    { name: 'one b serves several a', a: [0, 1, 2], b: [1], gap: 5, pairs: [[0, 1], [1, 1], [2, 1]] },
  ]
  for (const c of cases) it(c.name, () => expect(tsPairs(c.a.map((t) => r(t)), c.b.map((t) => r(t)), c.gap)).toEqual(c.pairs))
})

describe('averages', () => {
  it('median of odd and even counts, unsorted input left as it was', () => {
    const values = [5, 1, 3]
    expect(median(values)).toBe(3)
    expect(values).toEqual([5, 1, 3])
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
  })
  it('mean', () => expect(mean([1, 2, 6])).toBe(3))
})

describe('channelReadings and span', () => {
  it('keeps the channel, the range (inclusive) and sorts', () => {
    const input = { temp_suction_c: [r(30), r(10), r(20, 0, 'temp_liquid_c'), r(5), r(40)] }
    expect(channelReadings(input, 'temp_suction_c', 10, 30).map((x) => x.ts)).toEqual([10, 30])
    expect(channelReadings(input, 'temp_liquid_c', 0, 100)).toEqual([])
  })
  it('span is first to last, or the fallback when empty', () => {
    expect(span('temp_suction_c', [r(30), r(10)], { from: 0, to: 1 })).toEqual({ channel: 'temp_suction_c', from: 10, to: 30 })
    expect(span('temp_suction_c', [], { from: 0, to: 1 })).toEqual({ channel: 'temp_suction_c', from: 0, to: 1 })
  })
})
