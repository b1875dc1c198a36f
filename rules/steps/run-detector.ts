/**
 * When is the unit running: the one run detector of the power test (S2) and the test run
 * (S1). The unit counts as running at a current reading >= runningCurrentMinA; a run is a
 * chain of running readings no more than maxGapS apart and lasts from its first to its last
 * reading, so only time covered by readings counts. A non-running reading or a longer gap
 * ends the chain. Pure; the caller hands in one channel's readings, already clipped to the
 * step window and sorted by device time (series.ts channelReadings), so a run that began
 * before the start marker counts from the first reading inside the window.
 */
import type { Reading } from '../../contract/reading.js'

/** The two pack parameters both steps share (sourced values, as the packs give them). */
export interface RunParams {
  /** The unit counts as running at a reading with current >= this, amperes. */
  runningCurrentMinA: { value: number }
  /** A gap between readings longer than this breaks a run, seconds. */
  maxGapS: { value: number }
}

/** A continuous run: consecutive running readings, none more than maxGapS apart. */
export interface Run {
  readings: Reading[]
  from: number
  to: number
}

export interface Gap {
  from: number
  to: number
}

export interface RunTimeline {
  /** In-window current readings, sorted by device time. */
  readings: readonly Reading[]
  /** Continuous runs in time order; the last one may still be open. */
  runs: Run[]
  /** Silences longer than maxGapS that ended a run (from = last running reading). */
  gaps: Gap[]
  /** The first reading at which a run ended because the unit stopped drawing current. */
  stoppedAt?: Reading
}

/** Running at this reading: current at or above the threshold. */
export const isRunning = (r: Reading, p: RunParams) => r.value >= p.runningCurrentMinA.value

export function detectRuns(readings: readonly Reading[], p: RunParams): RunTimeline {
  const maxGapMs = p.maxGapS.value * 1000
  const timeline: RunTimeline = { readings, runs: [], gaps: [] }
  let open: Run | undefined
  for (const r of readings) {
    if (open && r.ts - open.to > maxGapMs) {
      timeline.gaps.push({ from: open.to, to: r.ts })
      open = undefined
    }
    if (!isRunning(r, p)) {
      if (open && !timeline.stoppedAt) timeline.stoppedAt = r
      open = undefined
      continue
    }
    if (open) {
      open.readings.push(r)
      open.to = r.ts
    } else {
      open = { readings: [r], from: r.ts, to: r.ts }
      timeline.runs.push(open)
    }
  }
  return timeline
}

const durationMs = (s: Run) => s.to - s.from

/** The run still going at the last reading (that reading is running), if any. */
export function openRun(tl: RunTimeline, p: RunParams): Run | undefined {
  const last = tl.readings.at(-1)
  const run = tl.runs.at(-1)
  return last !== undefined && run !== undefined && run.to === last.ts && isRunning(last, p) ? run : undefined
}

/** The longest run; of equally long ones, the first. */
export function longestRun(runs: readonly Run[]): Run | undefined {
  let best: Run | undefined
  for (const s of runs) if (!best || durationMs(s) > durationMs(best)) best = s
  return best
}

/** The longest gap that broke a run; of equally long ones, the first. */
export function largestGap(tl: RunTimeline): Gap | undefined {
  let best: Gap | undefined
  for (const g of tl.gaps) if (!best || g.to - g.from > best.to - best.from) best = g
  return best
}
