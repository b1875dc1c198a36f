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
  const holds: Hold[] = []
  const addSegment = (from: number, to: number, cut?: Hold['cut']) => {
    // From `from` on, not from 0: a series cut by many fills would be scanned once per segment.
    let i = from
    while (i <= to && i < rs.length && !(rs[i]!.value >= testKpaG)) i++
    if (i > to || i >= rs.length) i = -1
    const start = rs[i]
    const end = rs[to]
    if (i >= 0 && start && end) holds.push(cut ? { start, end, cut } : { start, end })
  }
  let segStart = 0
  for (let i = 1; i < rs.length; i++) {
    const sign = fastSign(rs[i - 1]!, rs[i]!)
    if (sign === 0) continue
    let j = i
    while (j + 1 < rs.length && fastSign(rs[j]!, rs[j + 1]!) === sign) j++
    if (Math.abs(rs[j]!.value - rs[i - 1]!.value) >= FAST_MIN_KPA) {
      addSegment(segStart, i - 1, { kind: sign > 0 ? 'fill' : 'fall', to: rs[j]! })
      segStart = j
    }
    i = j
  }
  if (rs.length > 0) addSegment(segStart, rs.length - 1)
  return holds
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
