/**
 * The tightness test judged incrementally (issue 8, "evaluation is incremental"): from
 * windows onto the cache's series (series-window.ts) and the summary the last evaluation
 * returned, touching only the readings appended since, plus a bounded few (the fits' ±60 s,
 * a fast run still going on at the end, binary searches). Pure: the previous summary and the
 * windows go in, the result and the next summary come out.
 *
 * The verdict is the one evaluateTightness gives for the same readings, to the byte
 * (test/rules/steps/tightness-summary.test.ts, test/jobs/incremental-equivalence.test.ts):
 * the checks are built by the same code (judgeTightness) from the same values, which here
 * come from running summaries instead of passes over arrays:
 * - which series: its running maximum (the first one on a tie, as maxReading);
 * - holds: findHolds' scan resumed (pressure-holds.ts, scanHolds);
 * - the fill's top (filledTo): the maximum of each range between holds, kept per range and
 *   extended when the range grows;
 * - the stages: judged once the first hold has started (the readings before it no longer
 *   change). While the pressure has not reached the test pressure yet the fill is scanned on
 *   each evaluation (it is minutes long, not a day);
 * - fits: the same readings in the same order (binary searches into the windows).
 * A summary is started again (a full pass) when its window is not the last one extended:
 * another first or last object (the cache rebuilt its objects after a late reading, a
 * conflict flag or a trim), another start, test pressure or stages. It declines (undefined:
 * the caller judges the arrays instead) when a window holds what the array path would
 * filter or reorder: a value that is not finite, a reading of another channel or device, out
 * of the window, or two readings of one device at one time out of byTime order.
 *
 * Size: a few hundred bytes per pressure series plus ~100 per hold; no readings are copied.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { CheckResult, StepResult } from '../result.js'
import { holdScan, scanHolds, type Hold, type HoldScan } from './pressure-holds.js'
import { byTime, fitOf, windowEnd } from './series.js'
import { boundIn, within, type SeriesWindow, type Visits } from './series-window.js'
import { PRESSURE, TEMP_RADIUS_MS, type TightnessCommon } from './tightness.js'
import { judgeTightness, PRESSURE_RADIUS_MS, tightnessLimits, type JudgedSeries } from './tightness-checks.js'
import { stagesCheck } from './tightness-stages.js'

export interface TightnessWindowsInput extends TightnessCommon {
  /** Per channel, one window per device (the channel's readings in [window.start, end]). */
  series: Partial<Record<ChannelName, readonly SeriesWindow[]>>
}

/** The maximum of readings[a .. b - 1] (its index, the first on a tie; -1 when empty). */
interface RangeMax {
  a: number
  b: number
  best: number
}

interface SeriesSummary {
  lo: number
  hi: number
  first: Reading
  last: Reading
  /** The window's highest reading, the first on a tie (pressure series). */
  max: Reading
  scan: HoldScan
  holds: Hold[]
  firstStart: number
  ranges: readonly RangeMax[]
  stages?: { firstStart: number; hi: number; result: CheckResult }
}

export interface TightnessSummary {
  /** Start, test pressure and stages: another key, another summary. */
  readonly key: string
  /** `${channel} ${deviceId}` → the series' summary. */
  readonly series: ReadonlyMap<string, SeriesSummary>
}

export interface TightnessIncrement {
  result: StepResult
  summary: TightnessSummary
  /** Series summarised from scratch (0: everything was extended). */
  rebuilt: number
}

const byDevice = (a: SeriesWindow, b: SeriesWindow) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)

/**
 * evaluateTightness of the windows' readings, from `prev` (the summary this returned last
 * time, or undefined). Undefined when the windows hold what only the array path handles.
 */
export function evaluateTightnessWindows(input: TightnessWindowsInput, prev: TightnessSummary | undefined, visits: Visits): TightnessIncrement | undefined {
  const start = input.window.start
  const end = windowEnd(input.window, input.now)
  const { test } = tightnessLimits(input)
  const tol = input.params.stageTolerancePct?.value ?? 10
  const key = JSON.stringify([start, input.window.stop ?? null, test, input.params.stages?.value ?? null, tol])
  const before = prev?.key === key ? prev.series : undefined
  const next = new Map<string, SeriesSummary>()
  let rebuilt = 0
  const summarise = (w: SeriesWindow, pressure: boolean): SeriesSummary | undefined => {
    const id = `${w.channel} ${w.deviceId}`
    if (next.has(id)) return undefined // two windows of one device: the array path merges them
    const old = before?.get(id)
    if (!continued(old, w)) rebuilt++
    const s = extend(old, w, pressure ? test : NaN, start, end, visits)
    if (s) next.set(id, s)
    return s
  }
  // The hose on the pressurised system: the series with the highest reading, high side first on a tie.
  let best: { w: SeriesWindow; s: SeriesSummary } | undefined
  for (const ch of PRESSURE) {
    for (const w of nonEmpty(input.series[ch])) {
      const s = summarise(w, true)
      if (!s) return undefined
      if (!best || s.max.value > best.s.max.value) best = { w, s }
    }
  }
  const temps = nonEmpty(input.series.temp_pipe_c)
  for (const w of temps) if (!summarise(w, false)) return undefined
  const probeIds = [...new Set(temps.map((w) => w.deviceId))].sort()
  const fitTemp = (t: number) => {
    const near: Reading[] = []
    for (const w of temps) for (const r of within(w.readings, w.lo, w.hi, t - TEMP_RADIUS_MS - 1, t + TEMP_RADIUS_MS + 1, visits)) near.push(r)
    // The array path fits the merged, byTime-sorted temperatures; readings that tie on byTime have the same ts and value.
    if (temps.length > 1) near.sort(byTime)
    return fitOf(near, t, TEMP_RADIUS_MS)
  }
  if (best) {
    const { w } = best
    const s = { ...best.s }
    const rs = w.readings
    const outside = filledTop(rs, w.lo, w.hi, s.holds, s.ranges, visits)
    s.ranges = outside.ranges
    const judged: JudgedSeries = {
      deviceId: w.deviceId,
      channel: w.channel,
      first: s.first,
      last: s.last,
      holds: s.holds,
      top: outside.top,
      stages: (stages, tolerance, running, ev, at) => {
        const memo = s.stages
        if (memo && memo.firstStart === s.firstStart && (s.firstStart >= 0 || memo.hi === s.hi)) return memo.result
        // Once the hold has started the readings before it are final; stagesCheck reads no further than its start.
        const until = s.firstStart >= 0 ? s.firstStart + 1 : s.hi
        const arr = w.lo === 0 && s.firstStart >= 0 ? rs : rs.slice(w.lo, until)
        visits.readings += until - w.lo
        const result = stagesCheck(stages, tolerance, arr, (s.firstStart >= 0 ? s.firstStart : s.hi) - w.lo, running, ev, at)
        s.stages = { firstStart: s.firstStart, hi: s.hi, result }
        return result
      },
      fitIn: (h, t) => fitOf(within(rs, w.lo, w.hi, Math.max(h.start.ts, t - PRESSURE_RADIUS_MS - 1), Math.min(h.end.ts, t + PRESSURE_RADIUS_MS + 1), visits), t, PRESSURE_RADIUS_MS),
    }
    const result = judgeTightness(input, judged, probeIds, fitTemp)
    next.set(`${w.channel} ${w.deviceId}`, s)
    return { result, summary: { key, series: next }, rebuilt }
  }
  return { result: judgeTightness(input, undefined, probeIds, fitTemp), summary: { key, series: next }, rebuilt }
}

function continued(old: SeriesSummary | undefined, w: SeriesWindow): boolean {
  return old !== undefined && old.lo === w.lo && old.hi <= w.hi && w.readings[w.lo] === old.first && w.readings[old.hi - 1] === old.last
}

function nonEmpty(ws: readonly SeriesWindow[] | undefined): SeriesWindow[] {
  return (ws ?? []).filter((w) => w.hi > w.lo).sort(byDevice)
}

/**
 * The summary of `w`, from `old` when w continues the window it summarised (else from
 * scratch): the appended readings are checked and taken once. `test` NaN: not a pressure
 * series (no holds to scan).
 */
function extend(old: SeriesSummary | undefined, w: SeriesWindow, test: number, start: number, end: number, visits: Visits): SeriesSummary | undefined {
  const rs = w.readings
  const base = continued(old, w) ? old : undefined
  let max = base?.max
  const from = base?.hi ?? w.lo
  for (let k = from; k < w.hi; k++) {
    const r = rs[k]!
    if (r.channel !== w.channel || r.deviceId !== w.deviceId || !Number.isFinite(r.value) || r.ts < start || r.ts > end) return undefined
    if (k > w.lo && byTime(rs[k - 1]!, r) > 0) return undefined
    if (max === undefined || r.value > max.value) max = r
  }
  visits.readings += w.hi - from
  if (base && from === w.hi) return base
  const scanned = Number.isNaN(test) ? { holds: [], firstStart: -1, scan: base?.scan ?? holdScan(w.lo, test) } : scanHolds(rs, w.hi, base?.scan ?? holdScan(w.lo, test), visits)
  return {
    lo: w.lo,
    hi: w.hi,
    first: rs[w.lo]!,
    last: rs[w.hi - 1]!,
    max: max!,
    scan: scanned.scan,
    holds: scanned.holds,
    firstStart: scanned.firstStart,
    ranges: base?.ranges ?? [],
    ...(base?.stages ? { stages: base.stages } : {}),
  }
}

/**
 * filledTo(rs[lo .. hi - 1], holds): the highest reading outside every hold's (start, end]
 * (by device time), the first on a tie. The ranges between holds are found by binary search;
 * each range's maximum is kept and, when the same range has grown, extended.
 */
function filledTop(rs: readonly Reading[], lo: number, hi: number, holds: readonly Hold[], memo: readonly RangeMax[], visits: Visits): { top: Reading | undefined; ranges: RangeMax[] } {
  const ranges: RangeMax[] = []
  let top: Reading | undefined
  const take = (a: number, b: number) => {
    const m = memo.find((x) => x.a === a && x.b <= b)
    let best = m ? m.best : -1
    const from = m ? m.b : a
    for (let k = from; k < b; k++) if (best < 0 || rs[k]!.value > rs[best]!.value) best = k
    visits.readings += b - from
    ranges.push({ a, b, best })
    if (best >= 0 && (top === undefined || rs[best]!.value > top.value)) top = rs[best]
  }
  let a = lo
  for (const h of holds) {
    const b = boundIn(rs, a, hi, h.start.ts, true, visits)
    take(a, b)
    a = boundIn(rs, b, hi, h.end.ts, true, visits)
  }
  take(a, hi)
  return { top, ranges }
}
