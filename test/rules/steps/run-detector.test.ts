/**
 * The run detector both the power test (S2) and the test run (S1) judge on. Expectations are
 * written out by hand from the rule: running means current >= runningCurrentMinA; a run is a
 * chain of running readings no more than maxGapS apart, from its first to its last reading.
 */
import { describe, expect, it } from 'vitest'
import type { Reading } from '../../../contract/reading.js'
import { detectRuns, largestGap, longestRun, openRun, type RunParams } from '../../../rules/steps/run-detector.js'
import { channelReadings } from '../../../rules/steps/series.js'
import { evaluatePowerTest } from '../../../rules/steps/power-test.js'
import { evaluateTestRun } from '../../../rules/steps/test-run/index.js'
import { check } from '../helpers/checks.js'

const P: RunParams = { runningCurrentMinA: { value: 1 }, maxGapS: { value: 30 } }
const T0 = Date.UTC(2025, 3, 1, 9, 0, 0)
const at = (s: number) => T0 + s * 1000
const r = (s: number, value: number): Reading => ({ deviceId: 'clamp-1', channel: 'current_a', ts: at(s), value, receivedAt: at(s) })
/** Readings every stepS seconds from fromS to toS inclusive. */
const every = (fromS: number, toS: number, stepS: number, value: number): Reading[] => {
  const out: Reading[] = []
  for (let s = fromS; s <= toS; s += stepS) out.push(r(s, value))
  return out
}
/** Runs as [from s, to s, readings] relative to T0, for readable expectations. */
const spans = (readings: Reading[], p = P) => detectRuns(readings, p).runs.map((x) => [(x.from - T0) / 1000, (x.to - T0) / 1000, x.readings.length])

describe('run detector: no current readings', () => {
  it('finds no run, no gap, no stop', () => {
    const tl = detectRuns([], P)
    expect(tl).toEqual({ readings: [], runs: [], gaps: [] })
    expect(longestRun(tl.runs)).toBeUndefined()
    expect(largestGap(tl)).toBeUndefined()
  })

  it('only readings below the threshold: no run and no stop (nothing was running to stop)', () => {
    const tl = detectRuns(every(0, 300, 10, 0.99), P)
    expect(tl.runs).toEqual([])
    expect(tl.stoppedAt).toBeUndefined()
    expect(tl.gaps).toEqual([])
  })
})

describe('run detector: the threshold', () => {
  it('a reading exactly at runningCurrentMinA counts as running; just below does not', () => {
    expect(spans([r(0, 1), r(10, 1), r(20, 1)])).toEqual([[0, 20, 3]])
    expect(spans([r(0, 1), r(10, 0.999), r(20, 1)])).toEqual([[0, 0, 1], [20, 20, 1]])
  })

  it('one running reading is a run of no length (time counts only between readings)', () => {
    const tl = detectRuns([r(5, 4)], P)
    expect(spans([r(5, 4)])).toEqual([[5, 5, 1]])
    expect(longestRun(tl.runs)?.to).toBe(at(5))
  })

  it('the stop is the first non-running reading after a run, and ends that run', () => {
    const tl = detectRuns([...every(0, 100, 10, 5), r(110, 0.2), r(120, 0.1), r(130, 5)], P)
    expect(tl.stoppedAt).toEqual(r(110, 0.2))
    expect(spans(tl.readings.slice())).toEqual([[0, 100, 11], [130, 130, 1]])
    expect(tl.gaps).toEqual([])
  })
})

describe('run detector: gaps', () => {
  it('a gap of exactly maxGapS keeps the run; one millisecond more breaks it and is recorded', () => {
    expect(spans([r(0, 5), r(30, 5), r(60, 5)])).toEqual([[0, 60, 3]])
    const late = { ...r(60, 5), ts: at(60) + 1 }
    const tl = detectRuns([r(0, 5), r(30, 5), late], P)
    expect(tl.runs.map((x) => [x.from, x.to])).toEqual([[at(0), at(30)], [at(60) + 1, at(60) + 1]])
    expect(tl.gaps).toEqual([{ from: at(30), to: at(60) + 1 }])
    expect(tl.stoppedAt).toBeUndefined()
  })

  it('a gap that ends on a non-running reading is a gap, not a stop', () => {
    const tl = detectRuns([r(0, 5), r(10, 5), r(100, 0.1)], P)
    expect(tl.gaps).toEqual([{ from: at(10), to: at(100) }])
    expect(tl.stoppedAt).toBeUndefined()
  })

  it('silence while the unit is not running is no gap (no run to break)', () => {
    const tl = detectRuns([r(0, 0.1), r(500, 0.1), r(510, 5)], P)
    expect(tl.gaps).toEqual([])
    expect(spans(tl.readings.slice())).toEqual([[510, 510, 1]])
  })

  it('the largest gap and the longest run are the first of equals', () => {
    // Runs 0-60 (gap 60→120), 120-180 (gap 180→240), 240-250.
    const tl = detectRuns([...every(0, 60, 10, 5), ...every(120, 180, 10, 5), ...every(240, 250, 10, 5)], P)
    expect(tl.gaps).toEqual([{ from: at(60), to: at(120) }, { from: at(180), to: at(240) }])
    expect(largestGap(tl)).toEqual({ from: at(60), to: at(120) })
    expect(longestRun(tl.runs)).toBe(tl.runs[0])
    expect([tl.runs[0]?.from, tl.runs[0]?.to]).toEqual([at(0), at(60)])
  })
})

describe('run detector: flapping around the threshold', () => {
  it('each reading above is a run of its own; the first drop is the stop; no run is longer than zero', () => {
    const values = [1.02, 0.98, 1.01, 0.99, 1.0, 0.97]
    const tl = detectRuns(values.map((v, i) => r(i * 10, v)), P)
    expect(spans(tl.readings.slice())).toEqual([[0, 0, 1], [20, 20, 1], [40, 40, 1]])
    expect(tl.stoppedAt).toEqual(r(10, 0.98))
    expect(longestRun(tl.runs)?.from).toBe(at(0))
    expect(tl.gaps).toEqual([])
  })
})

describe('run detector: the run still going', () => {
  it('is the last run while the last reading is running', () => {
    const tl = detectRuns([r(0, 5), r(10, 0.1), r(20, 5), r(30, 5)], P)
    expect(openRun(tl, P)).toBe(tl.runs[1])
  })

  it('is none once the last reading is below the threshold, or with no readings', () => {
    expect(openRun(detectRuns([r(0, 5), r(10, 5), r(20, 0.1)], P), P)).toBeUndefined()
    expect(openRun(detectRuns([], P), P)).toBeUndefined()
  })

  it('is none when a non-running reading shares the last running reading\'s time', () => {
    const tl = detectRuns([r(0, 5), r(10, 5), { ...r(10, 0.1), receivedAt: at(11) }], P)
    expect(tl.runs.map((x) => [x.from, x.to])).toEqual([[at(0), at(10)]])
    expect(openRun(tl, P)).toBeUndefined()
  })
})

describe('run detector: a run that starts before the window', () => {
  // The unit was switched on 5 minutes before the start marker and ran through 10:00 after it.
  const readings = every(-300, 600, 10, 5)

  it('counts from the first reading inside the window', () => {
    const inWindow = channelReadings({ current_a: readings }, 'current_a', at(0), at(600))
    expect(spans(inWindow)).toEqual([[0, 600, 61]])
  })

  it('the power test and the test run see the same run (one detector)', () => {
    const window = { start: at(0), stop: at(600) }
    const power = evaluatePowerTest({
      params: { runningCurrentMinA: { value: 1, source: 't' }, minRunS: { value: 60, source: 't' }, maxGapS: { value: 30, source: 't' } },
      unit: { model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 6 },
      window,
      now: at(600),
      facts: {},
      readings: { current_a: readings },
    })
    const testRun = evaluateTestRun({
      params: {
        minDurationS: { value: 1800, source: 't' },
        maxGapS: { value: 30, source: 't' },
        runningCurrentMinA: { value: 1, source: 't' },
        currentMaxRatioOfRated: { value: 1, source: 't' },
        startupGraceS: { value: 10, source: 't' },
        liveLagMaxS: { value: 60, source: 't' },
        minLiveFraction: { value: 0.9, source: 't' },
      },
      ratedCurrentA: 6,
      refrigerant: 'R32',
      window,
      now: at(600),
      readings: { current_a: readings },
    })
    const powered = check(power, 'powered')
    const duration = check(testRun, 'duration')
    expect(powered.measured).toBe(600)
    expect(duration.measured).toBe(600)
    expect(powered.evidence).toEqual([{ channel: 'current_a', from: at(0), to: at(600) }])
    expect(duration.evidence).toEqual(powered.evidence)
  })
})
