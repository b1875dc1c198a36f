/**
 * A window onto one device's readings of one channel that the caller keeps (the gateway's
 * job cache): readings[lo .. hi - 1], in time order, shared rather than copied. Handing in
 * windows instead of arrays lets a step's summary be extended by the readings appended since
 * the last evaluation (issue 8, "evaluation is incremental"): copying or scanning half a
 * million readings per evaluation is what made it O(n).
 *
 * The caller's promise: while readings[lo] and readings[hi - 1] are the same objects as last
 * time, the readings between them are too (its arrays only grow at the end; any other change
 * replaces every object). A summary checks those two and starts again otherwise.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'

export interface SeriesWindow {
  readonly deviceId: string
  readonly channel: ChannelName
  readonly readings: readonly Reading[]
  readonly lo: number
  readonly hi: number
}

/** Readings an evaluation touched (appended ones, fits, scans): what the tests bound, instead of timing. */
export interface Visits {
  readings: number
}

/** First index in [lo, hi) whose ts >= t (with `after`: > t); hi if none. A binary search. */
export function boundIn(rs: readonly Reading[], lo: number, hi: number, t: number, after = false, visits?: Visits): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const ts = rs[mid]!.ts
    if (visits) visits.readings++
    if (ts < t || (after && ts === t)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The readings of rs[lo .. hi - 1] with from <= ts <= to, in order (a copy of those only). */
export function within(rs: readonly Reading[], lo: number, hi: number, from: number, to: number, visits?: Visits): Reading[] {
  const a = boundIn(rs, lo, hi, from, false, visits)
  const b = boundIn(rs, a, hi, to, true, visits)
  if (visits) visits.readings += b - a
  return rs.slice(a, b)
}
