/**
 * Small pure helpers the step evaluators share: picking a step's readings out of the
 * window, splitting them into one series per instrument, and reading a level at a time.
 * A series is one device's one channel: two instruments are never mixed, so the offset
 * between two sensors can never look like a drop or a rise.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { StepWindow } from '../../contract/job.js'
import type { Reading } from '../../contract/reading.js'
import type { MeterAccuracy } from '../meter-accuracy.js'
import type { Evidence } from '../result.js'

export type ReadingsByChannel = Partial<Record<ChannelName, readonly Reading[]>>

export type { StepWindow } from '../../contract/job.js'

/** What a step's evaluator is given: everything, so that it stays pure (no clock, no I/O). */
export interface StepInput<P> {
  params: P
  window: StepWindow
  /** Evaluation time, ms. While running, readings dated after it are ignored. */
  now: number
  /** Facts declared with the start marker. */
  facts: Record<string, unknown>
  readings: ReadingsByChannel
  /** What each meter declared about its accuracy (device attributes), by device id. */
  meters?: ReadonlyMap<string, MeterAccuracy> | undefined
}

/** One device's readings of one channel, sorted by device time. */
export interface Series {
  deviceId: string
  channel: ChannelName
  readings: Reading[]
}

// Ties broken on receive time and value so the order never depends on the input's order.
export const byTime = (a: Reading, b: Reading) => a.ts - b.ts || a.receivedAt - b.receivedAt || a.value - b.value

/** Upper bound of the window: the stop marker, or now while running (readings dated later are ignored). */
export const windowEnd = (w: StepWindow, now: number) => w.stop ?? now

/**
 * A channel's readings inside [start, end], sorted. Readings filed under the wrong key are dropped.
 * One pass first: the gateway hands in half a million readings already in order and all
 * inside the window, and then a copy is all that is needed (the same array a filter and a
 * stable sort would give).
 */
export function channelReadings(all: ReadingsByChannel, channel: ChannelName, start: number, end: number): Reading[] {
  const rs = all[channel] ?? []
  const keep = (r: Reading) => r.channel === channel && Number.isFinite(r.value) && r.ts >= start && r.ts <= end
  let kept = true
  let sorted = true
  for (let i = 0; i < rs.length && kept; i++) {
    kept = keep(rs[i]!)
    if (sorted && i > 0 && byTime(rs[i - 1]!, rs[i]!) > 0) sorted = false
  }
  const out = kept ? rs.slice() : rs.filter(keep)
  return sorted && kept ? out : out.sort(byTime)
}

/** Splits sorted readings of one channel into one series per device, ordered by device id. */
export function seriesByDevice(readings: readonly Reading[], channel: ChannelName): Series[] {
  const first = readings[0]
  // One instrument (the usual case): the readings are its series as they are.
  if (first && readings.every((r) => r.deviceId === first.deviceId)) return [{ deviceId: first.deviceId, channel, readings: readings.slice() }]
  const map = new Map<string, Reading[]>()
  for (const r of readings) {
    const list = map.get(r.deviceId)
    if (list) list.push(r)
    else map.set(r.deviceId, [r])
  }
  return [...map.keys()].sort().map((deviceId) => ({ deviceId, channel, readings: map.get(deviceId) ?? [] }))
}

/** The readings with from <= ts <= to of readings sorted by device time (a binary search, not a scan). */
export function sortedWithin(rs: readonly Reading[], from: number, to: number): Reading[] {
  return rs.slice(lowerBound(rs, from), lowerBound(rs, to, true))
}

/** First index whose ts >= t (with `after`: > t), in readings sorted by device time. */
function lowerBound(rs: readonly Reading[], t: number, after = false): number {
  let lo = 0
  let hi = rs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const ts = rs[mid]!.ts
    if (ts < t || (after && ts === t)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** reduce, not Math.max(...): a day of 1 Hz readings would overflow the argument list. */
export function maxReading(rs: readonly Reading[]): Reading | undefined {
  return rs.reduce<Reading | undefined>((m, r) => (m === undefined || r.value > m.value ? r : m), undefined)
}

/** The lowest reading; on a tie the latest one (closest to the end of a pump-down). */
export function lastMinReading(rs: readonly Reading[]): Reading | undefined {
  return rs.reduce<Reading | undefined>((m, r) => (m === undefined || r.value <= m.value ? r : m), undefined)
}

/**
 * The level at t from a least-squares line through the readings within ±radiusMs of t
 * (`rs` sorted by device time: they are found by a binary search).
 * Unlike a plain mean it does not lag a steady trend when the readings sit on one side of
 * t (the end of a window); like a mean it smooths sensor noise. Undefined if none are near.
 */
export function fitAt(rs: readonly Reading[], t: number, radiusMs: number): { value: number; from: number; to: number } | undefined {
  // Widened by 1 ms so rounding of t ± radiusMs never loses a reading the exact test keeps.
  return fitOf(sortedWithin(rs, t - radiusMs - 1, t + radiusMs + 1), t, radiusMs)
}

/**
 * fitAt's line through `candidates` (sorted by device time) within ±radiusMs of t. The sums
 * run in the candidates' order: the same readings in the same order give the same bits,
 * wherever they were found (a summary's windows or a whole array).
 */
export function fitOf(candidates: readonly Reading[], t: number, radiusMs: number): { value: number; from: number; to: number } | undefined {
  const near = candidates.filter((r) => Math.abs(r.ts - t) <= radiusMs)
  const first = near[0]
  const last = near.at(-1)
  if (!first || !last) return undefined
  const n = near.length
  const mx = near.reduce((s, r) => s + (r.ts - t), 0) / n
  const my = near.reduce((s, r) => s + r.value, 0) / n
  const sxx = near.reduce((s, r) => s + (r.ts - t - mx) ** 2, 0)
  const sxy = near.reduce((s, r) => s + (r.ts - t - mx) * (r.value - my), 0)
  // All readings at one instant: no slope to fit, the mean is the level.
  const slope = sxx > 0 ? sxy / sxx : 0
  return { value: my - slope * mx, from: first.ts, to: last.ts }
}

/** Level at time t by linear interpolation between the sorted readings around it (clamped at the ends). */
export function levelAt(rs: readonly Reading[], t: number): number | undefined {
  let before: Reading | undefined
  for (const r of rs) {
    if (r.ts === t) return r.value
    if (r.ts < t) before = r
    else if (before) return before.value + ((r.value - before.value) * (t - before.ts)) / (r.ts - before.ts)
    else return r.value
  }
  return before?.value
}

export const seconds = (ms: number) => ms / 1000
export const evidence = (channel: string, from: number, to: number): Evidence => ({ channel, from, to })
