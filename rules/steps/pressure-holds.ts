/**
 * Cutting a pressure series into holds, for the tightness test. A fast change is a fill
 * or a vent, never a temperature effect, so it ends one segment and starts the next. A
 * hold is a segment from its first reading at or above the test pressure to its last
 * reading: a top-up restarts the hold (it is never credited against a leak), and venting
 * before the stop marker ends the hold instead of counting as a drop.
 */
import type { Reading } from '../../contract/reading.js'
import { seconds } from './series.js'

// Sun on a pipe warms it ~10 K in 10 min: at 4 MPa(g) that is ~14 kPa/K, 0.23 kPa/s. A
// fill or a vent is far faster, so 0.5 kPa/s separates them; 10 kPa (one 0.01 MPa digit)
// keeps sensor noise from looking like a fill.
const FAST_KPA_PER_S = 0.5
const FAST_MIN_KPA = 10

export interface Hold {
  start: Reading
  end: Reading
  /** How the segment ended: a fill (top-up) or a fast fall (vent or gross leak) to `to`; absent: the last reading. */
  cut?: { kind: 'fill' | 'fall'; to: Reading }
}

const fastSign = (a: Reading, b: Reading) => {
  const dt = seconds(b.ts - a.ts)
  const rate = dt > 0 ? (b.value - a.value) / dt : 0
  return rate > FAST_KPA_PER_S ? 1 : rate < -FAST_KPA_PER_S ? -1 : 0
}

/** The holds in one sorted series, in time order. A fast run counts once it changes the pressure by FAST_MIN_KPA. */
export function findHolds(rs: readonly Reading[], testKpaG: number): Hold[] {
  return scanHolds(rs, rs.length, holdScan(0, testKpaG)).holds
}

/**
 * Where findHolds' scan of rs[lo ..] stands, so that it can resume when readings are
 * appended (issue 8: a 24 h hold at 1 Hz is judged again after every new reading). Only what
 * no later reading can change is kept: the pairs before `next` (a fast run ending at the last
 * reading may go on, so its pairs are scanned again), the segments those closed, and how far
 * the current segment was searched for its first reading at the test pressure.
 */
export interface HoldScan {
  readonly testKpaG: number
  readonly lo: number
  /** The next pair (next - 1, next) to judge. */
  readonly next: number
  /** Where the current segment starts. */
  readonly segStart: number
  /** The holds of the closed segments. */
  readonly closed: readonly Hold[]
  /** Index of the first closed hold's start (-1: none closed). */
  readonly firstStart: number
  /** The current segment's first reading at the test pressure: its index, or -1 if none in [segStart, searched). */
  readonly found: number
  readonly searched: number
}

export function holdScan(lo: number, testKpaG: number): HoldScan {
  return { testKpaG, lo, next: lo + 1, segStart: lo, closed: [], firstStart: -1, found: -1, searched: lo }
}

/**
 * findHolds of rs[scan.lo .. hi - 1], resumed from `scan` (made on a prefix of the same
 * readings): the holds, the index of the first hold's start (-1: none), and the scan to
 * resume next time. `visits` counts the readings looked at.
 */
export function scanHolds(rs: readonly Reading[], hi: number, scan: HoldScan, visits?: { readings: number }): { holds: Hold[]; firstStart: number; scan: HoldScan } {
  const test = scan.testKpaG
  let { next, segStart, found, searched, firstStart } = scan
  let closed = scan.closed
  let looked = 0
  // The current segment's first reading at the test pressure up to `to`, each reading searched once
  // (what it learns holds for good: the readings before hi do not change).
  const firstAt = (to: number): number => {
    if (found >= 0) return found <= to ? found : -1
    for (; searched <= to; searched++) {
      looked++
      if (rs[searched]!.value >= test) return (found = searched++)
    }
    return -1
  }
  let tail: { i: number; j: number; sign: number } | undefined
  for (let i = next; i < hi; ) {
    const sign = fastSign(rs[i - 1]!, rs[i]!)
    looked++
    if (sign === 0) {
      next = ++i
      continue
    }
    let j = i
    while (j + 1 < hi && fastSign(rs[j]!, rs[j + 1]!) === sign) j++
    looked += j - i
    // A run that reaches the last reading may go on: judged for now, scanned again next time.
    if (j + 1 >= hi) {
      tail = { i, j, sign }
      break
    }
    if (Math.abs(rs[j]!.value - rs[i - 1]!.value) >= FAST_MIN_KPA) {
      const s = firstAt(i - 1)
      if (s >= 0) {
        closed = closed.concat([{ start: rs[s]!, end: rs[i - 1]!, cut: { kind: sign > 0 ? 'fill' : 'fall', to: rs[j]! } }])
        if (firstStart < 0) firstStart = s
      }
      segStart = j
      found = -1
      searched = j
    }
    next = i = j + 1
  }
  // The holds at hi: the closed ones, then (for now) the segments a run at the end and the end itself give.
  const holds = closed.slice()
  let first = firstStart
  const open = (s: number, to: number, cut?: Hold['cut']) => {
    holds.push(cut ? { start: rs[s]!, end: rs[to]!, cut } : { start: rs[s]!, end: rs[to]! })
    if (first < 0) first = s
  }
  if (tail && Math.abs(rs[tail.j]!.value - rs[tail.i - 1]!.value) >= FAST_MIN_KPA) {
    const s = firstAt(tail.i - 1)
    if (s >= 0) open(s, tail.i - 1, { kind: tail.sign > 0 ? 'fill' : 'fall', to: rs[tail.j]! })
    // The last segment starts at the run's end, which is the last reading.
    looked++
    if (rs[hi - 1]!.value >= test) open(hi - 1, hi - 1)
  } else if (hi > scan.lo) {
    const s = firstAt(hi - 1)
    if (s >= 0) open(s, hi - 1)
  }
  if (visits) visits.readings += looked
  return { holds, firstStart: first, scan: { testKpaG: test, lo: scan.lo, next, segStart, closed, firstStart, found, searched } }
}

/**
 * The pressure the installer filled to: the highest reading outside the holds (a hold's
 * first reading included). Inside a hold the pressure follows the pipe temperature: a
 * sunny afternoon lifts a 4.05 MPa(g) fill past 4.15 (+7 K), and that is not an over-fill.
 */
export function filledTo(rs: readonly Reading[], holds: readonly Hold[]): Reading | undefined {
  // maxReading of the readings outside the holds, in one pass without copying them.
  let top: Reading | undefined
  for (const r of rs) if ((top === undefined || r.value > top.value) && !holds.some((h) => r.ts > h.start.ts && r.ts <= h.end.ts)) top = r
  return top
}
