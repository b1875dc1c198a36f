/**
 * Evacuation, measured absolute with a micron probe (DOMAIN.md, "Evacuation"): pull down
 * to the target, isolate the pump, and the level must stay at or below the decay limit for
 * the decay test time. Pure: the gateway hands in everything; nothing here reads a clock.
 *
 * The installer only has start/stop markers, so the isolation is read from the curve:
 * - The pump-down ends at the last reading at the lowest level; the pump was isolated
 *   there. The decay test is the readings from it until decayTestS later (plus the first
 *   reading at or after that, so the full time is covered). Later readings are not judged:
 *   the criterion is a level within a time, and breaking the vacuum (opening the valves)
 *   after the test before pressing stop must not fail it.
 * - Vacuum broken with nitrogen (a triple evacuation) and pumped down to the target again:
 *   only the pump-down after the last such break is judged.
 * - If the pump is never isolated, the lowest reading is at (or near) the end and the
 *   decay test is too short: a gateway cannot see a valve, only its effect.
 * - Several probes: the one whose lowest reading is highest (the far end of the line set
 *   reads worst), so a probe next to the pump cannot speak for the whole system.
 */
import { z } from 'zod'

import type { Reading } from '../../gateway/contract/reading.js'
import { formatDuration } from '../format-duration.js'
import { stepStatusFromChecks, type CheckResult, type StepResult } from '../result.js'
import { finite, sourced } from '../sourced.js'
import { byTime, channelReadings, evidence, lastMinReading, levelAt, maxReading, seconds, seriesByDevice, windowEnd, type Series, type StepInput } from './series.js'

export const EvacuationParamsSchema = z
  .object({
    /** The pump-down must reach at least this low, microns (absolute). */
    targetMicron: sourced(finite().positive()),
    /** After isolation the level must stay at or below this, microns (absolute). */
    decayMaxMicron: sourced(finite().positive()),
    /** How long after isolation the level is watched, seconds. */
    decayTestS: sourced(finite().int().positive()),
  })
  .strict()
  .refine((p) => p.decayMaxMicron.value >= p.targetMicron.value, { message: 'must be at least targetMicron', path: ['decayMaxMicron', 'value'] })

export type EvacuationParams = z.infer<typeof EvacuationParamsSchema>

/** No facts are needed by this step. */
export type EvacuationInput = StepInput<EvacuationParams>

// Water boils off at ~17,500 microns at 20 °C, so a moisture rise levels off below it; a
// level above 100,000 microns (13 kPa abs) means the vacuum was broken (or a gross leak).
const BROKEN_MICRON = 100_000
// DOMAIN.md: a rise that levels off means moisture, a steady climb a leak. A leak into a
// vacuum is choked flow and climbs linearly (second half ≈ first half); moisture approaches
// its vapour pressure, so its second-half rise is a fraction of the first. 1/3 splits them.
const LEVELS_OFF_RATIO = 1 / 3

const microns = (v: number) => `${Math.round(v)} microns`

/** The readings the step is judged on: after the last vacuum break that was pumped down to the target again. */
function judgedReadings(rs: Reading[], target: number): { readings: Reading[]; brokenAt?: Reading } {
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

interface Context {
  p: EvacuationParams
  running: boolean
  start: number
  end: number
  probe?: Series
  rs: Reading[]
  brokenAt?: Reading
  gauge: Reading[]
  at: (ts: number) => string
}

function gaugeCheck(c: Context): CheckResult {
  const base = { id: 'gauge_evidence' }
  const first = c.probe?.readings[0]
  const last = c.probe?.readings.at(-1)
  if (c.probe && first && last) {
    return { ...base, status: 'pass', message: `vacuum measured absolute by a micron probe (${c.probe.deviceId}, ${c.probe.readings.length} readings)`, evidence: [evidence('vacuum_micron', first.ts, last.ts)] }
  }
  const g0 = c.gauge[0]
  const lowest = lastMinReading(c.gauge)
  if (!g0 || !lowest) {
    return { ...base, status: 'pending', message: `no vacuum readings${c.running ? ' yet' : ' at all'}: a micron probe (vacuum_micron) is needed`, evidence: [evidence('vacuum_micron', c.start, c.end)] }
  }
  // DOMAIN.md: at -100 kPa(g) a compound gauge's scale cannot resolve 66.7 Pa (500 microns) from 667 Pa (5000 microns).
  const message = `only a compound gauge (lowest ${lowest.value.toFixed(1)} kPa(g), ${(lowest.value / 1000).toFixed(3)} MPa): a compound gauge reading of -0.1 MPa cannot tell 5000 microns from 500; a micron probe (vacuum_micron) is needed`
  const ev = [evidence(lowest.channel, g0.ts, c.gauge.at(-1)?.ts ?? g0.ts)]
  return c.running ? { ...base, status: 'pending', message, evidence: ev } : { ...base, status: 'fail', severity: 'major', message, evidence: ev }
}

function reachedCheck(c: Context): CheckResult {
  const target = c.p.targetMicron.value
  const base = { id: 'vacuum_reached', unit: 'micron', limit: target }
  const min = lastMinReading(c.rs)
  const first = c.rs[0]
  const last = c.rs.at(-1)
  if (!min || !first || !last) {
    const message = c.running ? 'no micron readings yet' : 'no micron (vacuum_micron) readings between start and stop'
    return { ...base, status: c.running ? 'pending' : 'fail', ...(c.running ? {} : { severity: 'major' as const }), message, evidence: [evidence('vacuum_micron', c.start, c.end)] }
  }
  const ev = [evidence('vacuum_micron', first.ts, min.ts)]
  const after = c.brokenAt ? ` (pump-down after the vacuum was broken at ${c.at(c.brokenAt.ts)})` : ''
  if (min.value <= target) return { ...base, status: 'pass', measured: min.value, message: `reached ${microns(min.value)} at ${c.at(min.ts)}, target <= ${microns(target)}${after}`, evidence: ev }
  if (c.running) return { ...base, status: 'pending', measured: min.value, message: `pumping down: now ${microns(last.value)}, lowest ${microns(min.value)}, target <= ${microns(target)}`, evidence: ev }
  return { ...base, status: 'fail', severity: 'major', measured: min.value, message: `lowest ${microns(min.value)}, above the target <= ${microns(target)}${after}`, evidence: ev }
}

/** How a rise above the limit looks: levelling off (moisture) or a steady climb (leak). */
function describeRise(decay: readonly Reading[], top: Reading, limit: number): { text: string; leak: boolean | undefined } {
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

function decayCheck(c: Context): CheckResult {
  const p = c.p
  const limit = p.decayMaxMicron.value
  const need = p.decayTestS.value
  const base = { id: 'decay', unit: 'micron', limit }
  const min = lastMinReading(c.rs)
  if (!min || min.value > p.targetMicron.value) {
    const message = c.running ? `the decay test starts once ${microns(p.targetMicron.value)} is reached and the pump is isolated` : `no decay test: the target ${microns(p.targetMicron.value)} was never reached`
    return { ...base, status: 'pending', message, evidence: [evidence('vacuum_micron', c.start, c.end)] }
  }
  const i = c.rs.indexOf(min)
  let k = i
  while (k + 1 < c.rs.length && c.rs[k]!.ts < min.ts + need * 1000) k++
  const decay = c.rs.slice(i, k + 1)
  const last = decay.at(-1) ?? min
  const top = maxReading(decay) ?? min
  const elapsed = seconds(last.ts - min.ts)
  const ev = [evidence('vacuum_micron', min.ts, last.ts)]
  const measured = top.value
  if (top.value > limit) {
    const rise = describeRise(decay, top, limit)
    if (c.running) return { ...base, status: 'pending', measured, message: `${rise.text}; pumping down again restarts the decay test`, evidence: ev }
    return { ...base, status: 'fail', severity: rise.leak === false ? 'major' : 'critical', measured, message: rise.text, evidence: ev }
  }
  const isolated = `isolation at ${microns(min.value)} (${c.at(min.ts)})`
  if (elapsed >= need) return { ...base, status: 'pass', measured, message: `stayed at or below ${microns(limit)} for ${formatDuration(elapsed)} after ${isolated}: highest ${microns(top.value)}`, evidence: ev }
  if (c.running) {
    const message = elapsed === 0 ? `decay test 0:00 of ${formatDuration(need)}: at the lowest level so far (${microns(min.value)}); isolate the pump to start it` : `decay test ${formatDuration(elapsed)} of ${formatDuration(need)} since ${isolated}: now ${microns(last.value)}, limit ${microns(limit)}`
    return { ...base, status: 'pending', measured, message, evidence: ev }
  }
  const message = elapsed === 0 ? `no decay test: the level was at its lowest at the last reading (pump not isolated); isolate and watch for ${formatDuration(need)}` : `decay test lasted ${formatDuration(elapsed)} of the required ${formatDuration(need)} after ${isolated}`
  return { ...base, status: 'fail', severity: 'major', measured, message, evidence: ev }
}

export function evaluateEvacuation(input: EvacuationInput): StepResult {
  const running = input.window.stop === undefined
  const start = input.window.start
  const end = windowEnd(input.window, input.now)
  const probes = seriesByDevice(channelReadings(input.readings, 'vacuum_micron', start, end), 'vacuum_micron')
  // The most conservative probe: highest lowest reading.
  let probe: Series | undefined
  for (const s of probes) if (!probe || (lastMinReading(s.readings)?.value ?? 0) > (lastMinReading(probe.readings)?.value ?? 0)) probe = s
  const judged = judgedReadings(probe?.readings ?? [], input.params.targetMicron.value)
  const gauge = [...channelReadings(input.readings, 'pressure_low_kpag', start, end), ...channelReadings(input.readings, 'pressure_high_kpag', start, end)].sort(byTime)
  const c: Context = {
    p: input.params,
    running,
    start,
    end,
    ...(probe ? { probe } : {}),
    rs: judged.readings,
    ...(judged.brokenAt ? { brokenAt: judged.brokenAt } : {}),
    gauge,
    at: (ts) => formatDuration(seconds(ts - start)),
  }
  const checks = [gaugeCheck(c), reachedCheck(c), decayCheck(c)]
  return { id: 'evacuation', status: stepStatusFromChecks(checks, running), checks }
}
