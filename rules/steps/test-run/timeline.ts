/**
 * The test run's timeline from current readings: continuous runs (running readings no more
 * than maxGapS apart), the gaps that broke them, and where the unit stopped. Pure.
 */
import type { Reading } from '../../../contract/reading.js'
import type { TestRunParams } from '../../pack-schema.js'

/** A continuous run: consecutive running readings, none more than maxGapS apart. */
export interface Segment {
  readings: Reading[]
  from: number
  to: number
}

export interface Gap {
  from: number
  to: number
}

export interface Timeline {
  /** In-window current readings, sorted by device time. */
  readings: Reading[]
  segments: Segment[]
  /** Silences longer than maxGapS that ended a run (from = last running reading). */
  gaps: Gap[]
  /** The first reading at which a run ended because the unit stopped drawing current. */
  stoppedAt?: Reading
}

export function buildTimeline(readings: Reading[], p: TestRunParams): Timeline {
  const maxGapMs = p.maxGapS.value * 1000
  const timeline: Timeline = { readings, segments: [], gaps: [] }
  let open: Segment | undefined
  for (const r of readings) {
    if (open && r.ts - open.to > maxGapMs) {
      timeline.gaps.push({ from: open.to, to: r.ts })
      open = undefined
    }
    if (r.value < p.runningCurrentMinA.value) {
      if (open && !timeline.stoppedAt) timeline.stoppedAt = r
      open = undefined
      continue
    }
    if (open) {
      open.readings.push(r)
      open.to = r.ts
    } else {
      open = { readings: [r], from: r.ts, to: r.ts }
      timeline.segments.push(open)
    }
  }
  return timeline
}

const durationMs = (s: Segment) => s.to - s.from

export function longestSegment(segments: Segment[]): Segment | undefined {
  let best: Segment | undefined
  for (const s of segments) if (!best || durationMs(s) > durationMs(best)) best = s
  return best
}

export function largestGap(tl: Timeline): Gap | undefined {
  let best: Gap | undefined
  for (const g of tl.gaps) if (!best || g.to - g.from > best.to - best.from) best = g
  return best
}
