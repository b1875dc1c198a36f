import { describe, it, expect } from 'vitest'
import type { Reading } from '../../../../contract/reading.js'
import type { StepResult } from '../../../../rules/result.js'
import { check } from '../../helpers/checks.js'
import { evaluateTestRun, formatDuration, type TestRunInput, type TestRunParams, type TestRunReadings } from '../../../../rules/steps/test-run/index.js'

// The split-ac pack's values, spelt out so these cases do not move when the pack does.
const PARAMS: TestRunParams = {
  minDurationS: { value: 1800, source: 'S1' },
  maxGapS: { value: 60, source: 'test' },
  runningCurrentMinA: { value: 0.5, source: 'test' },
  currentMaxRatioOfRated: { value: 1.0, source: 'test' },
  startupGraceS: { value: 10, source: 'test' },
  liveLagMaxS: { value: 60, source: 'test' },
  minLiveFraction: { value: 0.9, source: 'test' },
}
const RATED = 8
const T0 = Date.UTC(2025, 0, 15, 10, 0, 0)
const at = (s: number) => T0 + s * 1000

/** Readings every `stepS` seconds from `fromS` to `toS` (inclusive), received `lagS` after measurement. */
function series(fromS: number, toS: number, stepS: number, value = 6, lagS = 0, deviceId = 'meter-1'): Reading[] {
  const out: Reading[] = []
  for (let s = fromS; s <= toS; s += stepS) out.push({ deviceId, channel: 'current_a', ts: at(s), value, receivedAt: at(s + lagS) })
  return out
}
const one = (s: number, value: number): Reading => ({ deviceId: 'meter-1', channel: 'current_a', ts: at(s), value, receivedAt: at(s) })

interface RunOptions {
  stopS?: number
  nowS?: number
  startS?: number
  rated?: number
  params?: Partial<TestRunParams>
  refrigerant?: string
  readings?: TestRunReadings
}
function run(current: Reading[], opts: RunOptions = {}): StepResult {
  const input: TestRunInput = {
    params: { ...PARAMS, ...opts.params },
    ratedCurrentA: opts.rated ?? RATED,
    refrigerant: opts.refrigerant ?? 'R32',
    window: opts.stopS === undefined ? { start: at(opts.startS ?? 0) } : { start: at(opts.startS ?? 0), stop: at(opts.stopS) },
    now: at(opts.nowS ?? opts.stopS ?? 0),
    readings: { ...opts.readings, current_a: current },
  }
  return evaluateTestRun(input)
}
describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0:00'], [5, '0:05'], [59.999, '0:59'], [750, '12:30'], [1799, '29:59'], [1800, '30:00'],
    [3600, '1:00:00'], [3723, '1:02:03'], [-5, '-0:05'], [Number.NaN, '--:--'],
  ]
  for (const [s, text] of cases) it(`${s} s → ${text}`, () => expect(formatDuration(s)).toBe(text))
})

describe('test run: duration (S1, seed §5 ch.7 art.21)', () => {
  const cases: { name: string; readings: Reading[]; stopS: number; startS?: number; status: 'pass' | 'fail'; measured: number; message: RegExp }[] = [
    { name: 'exactly 30:00 passes', readings: series(0, 1800, 5), stopS: 1810, status: 'pass', measured: 1800, message: /^ran 30:00 continuously \(required 30:00\)$/ },
    { name: '29:59 fails', readings: [...series(0, 1795, 5), one(1799, 6)], stopS: 1810, status: 'fail', measured: 1799, message: /^longest continuous run 29:59 of the required 30:00; stopped at 30:10$/ },
    { name: 'a 60 s gap keeps continuity', readings: [...series(0, 900, 5), ...series(960, 1860, 5)], stopS: 1900, status: 'pass', measured: 1860, message: /^ran 31:00 continuously/ },
    {
      name: 'a 61 s gap breaks continuity',
      readings: [...series(0, 900, 5), ...series(961, 1861, 5)],
      stopS: 1900,
      status: 'fail',
      measured: 900,
      message: /^longest continuous run 15:00 of the required 30:00; continuity broken by a 1:01 gap without readings from 15:00 to 16:01 \(gaps over 1:00 break it\)$/,
    },
    {
      name: 'a non-running reading breaks continuity',
      readings: [...series(0, 900, 5), one(905, 0.2), ...series(910, 1810, 5)],
      stopS: 1900,
      status: 'fail',
      measured: 900,
      message: /the unit stopped running \(0\.2 A\) at 15:05$/,
    },
    { name: 'readings beyond stop are ignored', readings: series(0, 3600, 5), stopS: 1500, status: 'fail', measured: 1500, message: /^longest continuous run 25:00 of the required 30:00/ },
    { name: 'readings before start are ignored', readings: series(0, 1850, 5), startS: 100, stopS: 1900, status: 'fail', measured: 1750, message: /^longest continuous run 29:10/ },
    { name: 'exactly the running threshold counts as running', readings: series(0, 1800, 5, 0.5), stopS: 1800, status: 'pass', measured: 1800, message: /^ran 30:00/ },
    { name: 'the unit never ran', readings: series(0, 1800, 5, 0.1), stopS: 1800, status: 'fail', measured: 0, message: /^the unit never ran: no current reading reached 0\.5 A/ },
    { name: 'no readings at all', readings: [], stopS: 600, status: 'fail', measured: 0, message: /^no current readings between the start and stop markers \(10:00 apart\): the 30:00 test run cannot be shown$/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const d = check(run(c.readings, { stopS: c.stopS, ...(c.startS === undefined ? {} : { startS: c.startS }) }), 'duration')
      expect(d.status).toBe(c.status)
      expect(d.measured).toBe(c.measured)
      expect(d.limit).toBe(1800)
      expect(d.unit).toBe('s')
      expect(d.clause).toBe('S1')
      expect(d.severity).toBe(c.status === 'fail' ? 'critical' : undefined)
      expect(d.message).toMatch(c.message)
    })
  }

  it('a pass gives the step pass and the continuous segment as evidence', () => {
    const step = run(series(0, 1800, 5), { stopS: 1810 })
    expect(step.id).toBe('test_run')
    expect(step.status).toBe('pass')
    expect(check(step, 'duration').evidence).toEqual([{ channel: 'current_a', from: at(0), to: at(1800) }])
  })

  it('a broken run shows the longest segment and the gap as evidence', () => {
    const d = check(run([...series(0, 900, 5), ...series(961, 1500, 5)], { stopS: 1900 }), 'duration')
    expect(d.evidence).toEqual([
      { channel: 'current_a', from: at(0), to: at(900) },
      { channel: 'current_a', from: at(900), to: at(961) },
    ])
  })

  it('no readings at all fails the stopped step and points at the empty window', () => {
    const step = run([], { stopS: 600 })
    expect(step.status).toBe('fail')
    expect(check(step, 'duration').evidence).toEqual([{ channel: 'current_a', from: at(0), to: at(600) }])
    expect(check(step, 'current_within_rating').status).toBe('pending')
    expect(check(step, 'evidence_live').status).toBe('pending')
  })

  it('unsorted input gives the same result as sorted input', () => {
    const sorted = [...series(0, 900, 5), ...series(961, 1861, 5, 6, 0, 'meter-2')]
    // A fixed scramble (not merely reversed): position i goes to key (i × 7919) mod 1009.
    const shuffled = sorted.map((r, i) => ({ r, k: (i * 7919) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.r)
    expect(shuffled).not.toEqual(sorted)
    expect(run(shuffled, { stopS: 1900 })).toEqual(run(sorted, { stopS: 1900 }))
    expect(check(run([...series(0, 1800, 5)].reverse(), { stopS: 1800 }), 'duration').status).toBe('pass')
  })

  it('readings of other channels are ignored', () => {
    const voltage: Reading[] = series(900, 3000, 5, 230).map((r) => ({ ...r, channel: 'voltage_v' }))
    expect(check(run([...series(0, 1000, 5), ...voltage], { stopS: 3000 }), 'duration').measured).toBe(1000)
  })
})

describe('test run: still running', () => {
  const cases: { name: string; readings: Reading[]; nowS: number; status: 'pass' | 'pending'; message: RegExp }[] = [
    { name: 'below 30 min shows the elapsed time', readings: series(0, 750, 5), nowS: 752, status: 'pending', message: /^test run 12:30 of 30:00$/ },
    { name: 'no readings yet', readings: [], nowS: 30, status: 'pending', message: /^test run 0:00 of 30:00: no current readings yet$/ },
    {
      name: 'restarted after a gap counts from the restart',
      readings: [...series(0, 600, 5), ...series(700, 1000, 5)],
      nowS: 1001,
      status: 'pending',
      message: /^test run 5:00 of 30:00; longest continuous run so far 10:00$/,
    },
    { name: 'unit not running now', readings: [...series(0, 300, 5), one(305, 0)], nowS: 306, status: 'pending', message: /^test run 0:00 of 30:00: unit not running \(last current 0 A/ },
    { name: 'silent meter is shown', readings: series(0, 300, 5), nowS: 420, status: 'pending', message: /^test run 5:00 of 30:00: no current reading for 2:00$/ },
    { name: 'readings dated after now are ignored', readings: series(0, 1800, 5), nowS: 600, status: 'pending', message: /^test run 10:00 of 30:00$/ },
    { name: '30:00 reached before stop passes the check', readings: series(0, 1800, 5), nowS: 1801, status: 'pass', message: /^ran 30:00 continuously/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run(c.readings, { nowS: c.nowS })
      const d = check(step, 'duration')
      expect(d.status).toBe(c.status)
      expect(d.message).toMatch(c.message)
      expect(step.status).toBe('in_progress') // only a stop marker makes a step final (or a fail)
    })
  }
})

describe('test run: current within rating', () => {
  const inrush = [...series(0, 9, 1, 25), ...series(10, 1810, 5)] // 25 A for the first 9 s, then 6 A
  const cases: { name: string; readings: Reading[]; rated?: number; ratio?: number; status: 'pass' | 'fail' | 'pending'; measured?: number; limit?: number; message: RegExp }[] = [
    { name: 'inrush inside the grace passes', readings: inrush, status: 'pass', measured: 6, limit: 8, message: /^highest running current 6 A within the limit 8 A \(1 × rated 8 A; first 0:10 of each run ignored\)$/ },
    {
      name: 'over-current after the grace fails',
      readings: [...series(0, 9, 1, 25), one(10, 9.5), ...series(15, 1815, 5)],
      status: 'fail',
      measured: 9.5,
      limit: 8,
      message: /^running current reached 9\.5 A, above the limit 8 A \(1 × rated 8 A\); first over at 0:10$/,
    },
    { name: 'exactly at the limit passes', readings: series(0, 1800, 5, 8), status: 'pass', measured: 8, limit: 8, message: /within the limit 8 A/ },
    { name: 'the ratio scales the limit', readings: series(0, 1800, 5, 8.5), ratio: 1.1, status: 'pass', measured: 8.5, limit: 8 * 1.1, message: /within the limit 8\.8 A \(1\.1 × rated 8 A/ },
    {
      name: 'the grace applies again after a restart',
      readings: [...series(0, 900, 5), ...series(1000, 1005, 1, 25), ...series(1010, 2000, 5)],
      status: 'pass',
      measured: 6,
      limit: 8,
      message: /^highest running current 6 A/,
    },
    {
      name: 'several readings over the limit are counted',
      readings: [...series(0, 1800, 5), ...series(602, 622, 10, 12)],
      status: 'fail',
      measured: 12,
      limit: 8,
      message: /first over at 10:02; 3 readings over the limit$/,
    },
    { name: 'unknown rated current stays pending', readings: series(0, 1800, 5), rated: 0, status: 'pending', message: /^nameplate rated current unknown/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const params = c.ratio === undefined ? {} : { currentMaxRatioOfRated: { value: c.ratio, source: 'test' } }
      const cur = check(run(c.readings, { stopS: 3000, rated: c.rated ?? RATED, params }), 'current_within_rating')
      expect(cur.status).toBe(c.status)
      expect(cur.measured).toBe(c.measured)
      expect(cur.limit).toBe(c.limit)
      expect(cur.unit).toBe('A')
      expect(cur.severity).toBe(c.status === 'fail' ? 'major' : undefined)
      expect(cur.message).toMatch(c.message)
    })
  }

  it('a failure points at the over-limit readings and fails the step even while running', () => {
    const step = run([...series(0, 600, 5), ...series(602, 622, 10, 12)], { nowS: 700 })
    expect(check(step, 'current_within_rating').evidence).toEqual([{ channel: 'current_a', from: at(602), to: at(622) }])
    expect(step.status).toBe('fail')
  })

  it('a stopped 30-minute run with an unknown rating is incomplete, not pass', () => {
    expect(run(series(0, 1800, 5), { stopS: 1800, rated: Number.NaN }).status).toBe('incomplete')
  })

  it('is pending while running with no running reading after the grace yet', () => {
    const cur = check(run(series(0, 5, 1, 20), { nowS: 6 }), 'current_within_rating')
    expect(cur.status).toBe('pending')
    expect(cur.message).toBe('no running current after the 0:10 start-up grace yet')
  })
})

describe('test run: evidence arrived live (ARCHITECTURE.md principle 3)', () => {
  /** Readings every 5 s from 0 to toS; all but the last `liveCount` arrive `lagS` late. */
  const mixed = (toS: number, liveCount: number, lagS: number) => {
    const all = series(0, toS, 5)
    return all.map((r, i) => (i < all.length - liveCount ? { ...r, receivedAt: r.ts + lagS * 1000 } : r))
  }
  const cases: { name: string; readings: Reading[]; status: 'pass' | 'warn'; measured: number; message: RegExp }[] = [
    { name: 'all live passes', readings: series(0, 1800, 5), status: 'pass', measured: 100, message: /^100% of the evidence arrived live; 0% was back-filled/ },
    { name: 'a lag of exactly 60 s still counts as live', readings: series(0, 1800, 5, 6, 60), status: 'pass', measured: 100, message: /^100% of the evidence arrived live/ },
    { name: 'a lag of 61 s is back-filled', readings: series(0, 1800, 5, 6, 61), status: 'warn', measured: 0, message: /^0% of the evidence arrived live; 100% was back-filled/ },
    // 260 of 361 live = 72.02 %; 333 of 370 = exactly 90 %.
    { name: '72% live warns', readings: mixed(1800, 260, 600), status: 'warn', measured: 72, message: /^72% of the evidence arrived live; 28% was back-filled \(received more than 1:00 after measurement\); at least 90% live expected$/ },
    { name: 'exactly 90% live passes', readings: mixed(1845, 333, 3600), status: 'pass', measured: 90, message: /^90% of the evidence arrived live; 10% was back-filled/ },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const step = run(c.readings, { stopS: 1900 })
      const live = check(step, 'evidence_live')
      expect(live.status).toBe(c.status)
      expect(live.measured).toBe(c.measured)
      expect(live.limit).toBe(90)
      expect(live.unit).toBe('%')
      expect(live.message).toMatch(c.message)
      expect(step.status).toBe('pass') // a warning never fails the step
    })
  }

  it('a 30-minute run uploaded in 2 seconds is visible', () => {
    const uploaded = series(0, 1800, 1).map((r) => ({ ...r, receivedAt: at(1801) + (r.ts - at(0)) / 900 }))
    const step = run(uploaded, { stopS: 1805, nowS: 1805 })
    const live = check(step, 'evidence_live')
    expect(check(step, 'duration').status).toBe('pass')
    expect(live.status).toBe('warn')
    // Received 1801-1803 s: only readings from 1743 s on are within 60 s of their device time, 58 of 1801.
    expect(live.measured).toBe(3.2)
    expect(live.message).toMatch(/^3% of the evidence arrived live; 97% was back-filled/)
    expect(live.evidence).toEqual([{ channel: 'current_a', from: at(0), to: at(1800) }])
  })
})
