import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'

/** Readings every stepS along a piecewise-linear path of [seconds after t0, value] points. */
export function readingPath(points: [number, number][], o: { t0: number; channel: ChannelName; deviceId: string; stepS?: number }): Reading[] {
  const stepS = o.stepS ?? 10
  const out: Reading[] = []
  for (let i = 1; i < points.length; i++) {
    const [s0, v0] = points[i - 1]!
    const [s1, v1] = points[i]!
    for (let s = s0; s < s1 || (i === points.length - 1 && s === s1); s += stepS) {
      const ts = o.t0 + s * 1000
      out.push({ deviceId: o.deviceId, channel: o.channel, ts, value: v0 + ((v1 - v0) * (s - s0)) / (s1 - s0), receivedAt: ts })
    }
  }
  return out
}
