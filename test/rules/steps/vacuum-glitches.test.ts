import { describe, expect, it } from 'vitest'
import type { Reading } from '../../../contract/reading.js'
import { splitGlitches } from '../../../rules/steps/vacuum-glitches.js'

const series = (values: number[]): Reading[] => values.map((value, i) => ({ deviceId: 'p', channel: 'vacuum_micron', ts: i * 10_000, value, receivedAt: i * 10_000 }))
const flagged = (values: number[]) => splitGlitches(series(values)).glitches.map((g) => g.value)

describe('splitGlitches: single readings no vacuum can produce', () => {
  it.each([
    ['one spike among a steady level', [300, 301, 9000, 302, 303], [9000]],
    ['one zero', [300, 301, 0, 302], [0]],
    ['a negative reading at the edge (no neighbour needed)', [-5, 300, 301], [-5]],
    ['one low reading among 2000-micron readings', [2000, 2010, 200, 1990, 2005], [200]],
    ['a spike just over ×2 of both neighbours', [400, 410, 830, 405], [830]],
  ] as const)('flags %s', (_name, values, expected) => {
    expect(flagged([...values])).toEqual([...expected])
  })

  it.each([
    ['a real step up that stays (vacuum broken, a leak opening)', [300, 301, 2400, 2410, 2420]],
    ['a fast pump-down (each reading below the last)', [20000, 9000, 4000, 1800, 900]],
    ['a spike whose neighbours disagree (the level was moving)', [300, 9000, 1000]],
    ['a rise under ×2', [300, 310, 590, 305]],
    ['a spike at the last reading (one neighbour: cannot tell)', [300, 301, 9000]],
    ['two readings up together (two samples, not one)', [300, 9000, 9100, 301]],
  ] as const)('keeps %s', (_name, values) => {
    expect(flagged([...values])).toEqual([])
    expect(splitGlitches(series([...values])).kept).toHaveLength(values.length)
  })
})
