/**
 * Conflicting evidence: a point (device, channel, device time) re-sent with a different
 * value. The gateway keeps every value (the first one stays the point the checks use) and
 * this check puts the conflict in front of the reviewer: which readings of the step's window
 * were re-sent with what. 'warn' (a reviewer's look, not a failure: the device, not the
 * installation, may be at fault). No seed clause: this is evidence integrity, like calibration.
 * Pure; undefined when the window holds no conflict, so clean verdicts are unchanged.
 */
import type { Reading } from '../contract/reading.js'
import type { CheckResult, Evidence } from './result.js'

const LISTED = 5

export function readingConflictsCheck(readings: readonly Reading[]): CheckResult | undefined {
  const listed: string[] = []
  const ranges = new Map<string, Evidence>()
  let count = 0
  for (const r of readings) {
    if (!r.conflict) continue
    count++
    if (listed.length < LISTED) {
      const others = r.conflict.others.map((o) => o.value).join(', ') + (r.conflict.truncated ? ' and more' : '')
      listed.push(`${r.deviceId} ${r.channel} at ${new Date(r.ts).toISOString()}: ${r.value} (first) then ${others}`)
    }
    const range = ranges.get(r.channel)
    if (!range) ranges.set(r.channel, { channel: r.channel, from: r.ts, to: r.ts })
    else {
      if (r.ts < range.from) range.from = r.ts
      if (r.ts > range.to) range.to = r.ts
    }
  }
  if (count === 0) return undefined
  const more = count > LISTED ? `; and ${count - LISTED} more` : ''
  return {
    id: 'reading_conflicts',
    status: 'warn',
    severity: 'minor',
    measured: count,
    unit: 'readings',
    message: `${count} reading(s) were re-sent with a different value for the same device time; the first value was used: ${listed.join('; ')}${more}`,
    evidence: [...ranges.values()].sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0)),
  }
}
