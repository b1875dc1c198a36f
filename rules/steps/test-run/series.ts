/**
 * Reading series for the test run's checks: one channel's readings in a time range, two
 * channels paired in time, and the averages taken over them. Pure.
 */
import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import type { Evidence } from '../../result.js'

/** The readings handed to the test run, by channel, from all attached devices. */
export type TestRunReadings = Partial<Record<ChannelName, readonly Reading[]>>

/** Device time, then device id: the same input in any order gives the same result. */
export const byTime = (a: Reading, b: Reading) => a.ts - b.ts || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)

/** A channel's readings in [from, to], sorted. A reading filed under the wrong channel is ignored. */
export function channelReadings(readings: TestRunReadings, channel: ChannelName, from: number, to: number): Reading[] {
  return (readings[channel] ?? []).filter((r) => r.channel === channel && r.ts >= from && r.ts <= to).sort(byTime)
}

export interface Pair {
  a: Reading
  b: Reading
}

/**
 * Each reading of `a` with the reading of `b` nearest in time, if no more than maxGapMs
 * away (the same gap that breaks a run's continuity). Two meters rarely sample at the same
 * instant; pairing keeps "suction temperature minus saturation at the suction pressure"
 * a difference of values measured together. Both inputs sorted; ties go to the earlier.
 */
export function pairNearest(a: readonly Reading[], b: readonly Reading[], maxGapMs: number): Pair[] {
  const pairs: Pair[] = []
  let j = 0
  for (const ra of a) {
    // Advance while the next b is at least as close: b is sorted, so the distance falls, then rises.
    while (j + 1 < b.length && Math.abs((b[j + 1]?.ts ?? 0) - ra.ts) < Math.abs((b[j]?.ts ?? 0) - ra.ts)) j++
    const rb = b[j]
    if (rb && Math.abs(rb.ts - ra.ts) <= maxGapMs) pairs.push({ a: ra, b: rb })
  }
  return pairs
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length
}

/** Middle value (mean of the two middle ones for an even count): robust to a few spikes. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y)
  const mid = Math.floor(s.length / 2)
  const hi = s[mid] ?? Number.NaN
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? Number.NaN) + hi) / 2
}

/** First to last reading of a channel: the range a check is based on. */
export function span(channel: ChannelName, readings: readonly Reading[], fallback: { from: number; to: number }): Evidence {
  let from = Number.POSITIVE_INFINITY
  let to = Number.NEGATIVE_INFINITY
  for (const r of readings) {
    from = Math.min(from, r.ts)
    to = Math.max(to, r.ts)
  }
  return readings.length > 0 ? { channel, from, to } : { channel, ...fallback }
}
