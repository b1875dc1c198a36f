/**
 * Reading a vacuum curve for the evacuation step: where the vacuum was last broken, how a
 * rise looks (moisture or leak), and the review note on implausible readings.
 */
import type { Reading } from '../../contract/reading.js'
import { formatDuration } from '../format-duration.js'
import type { CheckResult } from '../result.js'
import { evidence, levelAt, seconds } from './series.js'

// Water boils off at ~17,500 microns at 20 °C, so a moisture rise levels off below it; a
// level above 100,000 microns (13 kPa abs) means the vacuum was broken (or a gross leak).
const BROKEN_MICRON = 100_000
// DOMAIN.md: a rise that levels off means moisture, a steady climb a leak. A leak into a
// vacuum is choked flow and climbs linearly (second half ≈ first half); moisture approaches
// its vapour pressure, so its second-half rise is a fraction of the first. 1/3 splits them.
const LEVELS_OFF_RATIO = 1 / 3

export const microns = (v: number) => `${Math.round(v)} microns`

/** The readings the step is judged on: after the last vacuum break that was pumped down to the target again. */
export function judgedReadings(rs: Reading[], target: number): { readings: Reading[]; brokenAt?: Reading } {
  let cut = -1
  let reachedLater = false
  for (let i = rs.length - 1; i >= 0 && cut < 0; i--) {
    if (rs[i]!.value > BROKEN_MICRON && reachedLater) cut = i
    if (rs[i]!.value <= target) reachedLater = true
  }
  // The first reading of that excursion is when the vacuum was broken.
  let first = cut
  while (first > 0 && rs[first - 1]!.value > BROKEN_MICRON) first--
  const brokenAt = rs[first]
  // The first pump-down from atmosphere looks the same; it is only a break if a vacuum came before it.
  return brokenAt && first > 0 ? { readings: rs.slice(cut + 1), brokenAt } : { readings: rs }
}

/** How a rise above the limit looks: levelling off (moisture) or a steady climb (leak). */
export function describeRise(decay: readonly Reading[], top: Reading, limit: number): { text: string; leak: boolean | undefined } {
  const first = decay[0]!
  const last = decay.at(-1)!
  const rose = `rose from ${Math.round(first.value)} to ${microns(top.value)} within ${formatDuration(seconds(last.ts - first.ts))} of isolation (limit ${microns(limit)})`
  if (decay.length < 3) return { text: `${rose}; too few readings to tell moisture from a leak`, leak: undefined }
  const mid = (first.ts + last.ts) / 2
  const midLevel = levelAt(decay, mid) ?? first.value
  const rise1 = midLevel - first.value
  const rise2 = last.value - midLevel
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${Math.round(n)}`
  const halves = `${signed(rise1)} in the first half, ${signed(rise2)} in the second`
  if (rise2 < rise1 * LEVELS_OFF_RATIO) return { text: `${rose} and levelled off (${halves}): moisture, keep evacuating`, leak: false }
  const perMin = rise2 / ((last.ts - mid) / 60_000)
  return { text: `${rose} and kept climbing at a steady ${Math.round(perMin)} microns/min (${halves}): a leak`, leak: true }
}

const LISTED = 10

/** A warn check listing readings left out as physically impossible: a reviewer looks, the result is not changed by them. */
export function glitchCheck(deviceId: string, glitches: readonly Reading[], all: readonly Reading[], at: (ts: number) => string): CheckResult {
  const describe = (g: Reading) => {
    const i = all.indexOf(g)
    const a = all[i - 1]
    const b = all[i + 1]
    const around = a && b ? ` between ${Math.round(a.value)} and ${Math.round(b.value)}` : ''
    return `${at(g.ts)} ${microns(g.value)}${around}`
  }
  const listed = glitches.slice(0, LISTED).map(describe).join('; ')
  const more = glitches.length > LISTED ? `; and ${glitches.length - LISTED} more` : ''
  return {
    id: 'implausible_readings',
    status: 'warn',
    severity: 'minor',
    measured: glitches.length,
    unit: 'readings',
    message: `${glitches.length} reading${glitches.length === 1 ? '' : 's'} of ${deviceId} flagged for review and left out of the decision (a jump and return within one sample that no vacuum can make, or <= 0 microns): ${listed}${more}`,
    evidence: glitches.slice(0, LISTED).map((g) => evidence('vacuum_micron', g.ts, g.ts)),
  }
}
