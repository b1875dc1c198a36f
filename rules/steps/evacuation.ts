/**
 * Evacuation, measured absolute with a micron probe (DOMAIN.md, "Evacuation"): pull down
 * to the target, isolate the pump, and the level must then hold for the decay test time.
 * Pure: the gateway hands in everything; nothing here reads a clock.
 *
 * - Isolation is an event, never guessed from the curve: the installer (or a smart
 *   manifold's app) posts POST /api/v1/jobs/:id/steps/evacuation/isolate when the pump is
 *   valved off. Without it the decay check says "isolation not marked" and stays pending.
 *   The last isolation in the window counts; one before the last vacuum break is stale.
 * - Readings no vacuum can produce (vacuum-glitches.ts) are flagged for review in a warn
 *   check and left out: one spike, zero or low reading never decides the result.
 * - The decay criterion is the pack's: "stays_below" (US practice: at or below 500 microns
 *   for 20 min after isolation) or "no_rise" (Hitachi, Midea/LG VRF: no rise in 1 h, read
 *   as a rise no larger than the gauge's own accuracy at that level).
 * - Vacuum broken with nitrogen (a triple evacuation) and pumped down to the target again:
 *   only the pump-down after the last such break is judged.
 * - Several probes: the one whose lowest reading is highest (the far end of the line set
 *   reads worst), so a probe next to the pump cannot speak for the whole system.
 * - A rise that levels off is moisture (major), a steady climb a leak (critical).
 */
import { z } from 'zod'

import type { Reading } from '../../contract/reading.js'
import { formatDuration } from '../format-duration.js'
import { stepStatusFromChecks, type CheckResult, type StepResult } from '../result.js'
import { finite, sourced } from '../sourced.js'
import { describeRise, glitchCheck, judgedReadings, microns } from './evacuation-curve.js'
import { byTime, channelReadings, evidence, fitAt, lastMinReading, levelAt, maxReading, seconds, seriesByDevice, windowEnd, type Series, type StepInput } from './series.js'
import { splitGlitches } from './vacuum-glitches.js'

export const EvacuationParamsSchema = z
  .object({
    /** The pump-down must reach at least this low before isolation, microns (absolute). */
    targetMicron: sourced(finite().positive()),
    /** How the decay test is judged; default "stays_below". */
    decayCriterion: sourced(z.enum(['stays_below', 'no_rise'])).optional(),
    /** stays_below: after isolation the level must stay at or below this, microns (absolute). */
    decayMaxMicron: sourced(finite().positive()).optional(),
    /** no_rise: the gauge's accuracy, ±(microns + % of reading): a rise within it is no rise. */
    riseTolerance: z.object({ gaugeAccuracyMicron: sourced(finite().nonnegative()), gaugeAccuracyPctReading: sourced(finite().nonnegative()) }).strict().optional(),
    /** How long after isolation the level is watched, seconds. */
    decayTestS: sourced(finite().int().positive()),
    /** Shortest pumping time before isolation, seconds (VRF manuals: 2 h). */
    minEvacuationS: sourced(finite().int().positive()).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.decayCriterion?.value ?? 'stays_below') === 'no_rise') {
      if (!p.riseTolerance) ctx.addIssue({ code: 'custom', message: 'required when decayCriterion is "no_rise"', path: ['riseTolerance'] })
    } else if (!p.decayMaxMicron) ctx.addIssue({ code: 'custom', message: 'required when decayCriterion is "stays_below"', path: ['decayMaxMicron'] })
    else if (p.decayMaxMicron.value < p.targetMicron.value) ctx.addIssue({ code: 'custom', message: 'must be at least targetMicron', path: ['decayMaxMicron', 'value'] })
  })

export type EvacuationParams = z.infer<typeof EvacuationParamsSchema>

export interface EvacuationInput extends StepInput<EvacuationParams> {
  /** When the pump was isolated (step events), ms, any order. */
  isolations?: readonly number[] | undefined
}

export const ISOLATE_HOW = 'POST /api/v1/jobs/:id/steps/evacuation/isolate when the pump is valved off'

interface Context {
  p: EvacuationParams
  running: boolean
  start: number
  end: number
  probe?: Series
  rs: Reading[]
  brokenAt?: Reading
  /** The isolation that counts, ms; `stale` is a later-superseded one before the last vacuum break. */
  isolatedAt?: number
  stale?: number
  gauge: Reading[]
  at: (ts: number) => string
}

const ev = (from: number, to: number) => evidence('vacuum_micron', from, to)

function gaugeCheck(c: Context): CheckResult {
  const base = { id: 'gauge_evidence' }
  const first = c.probe?.readings[0]
  const last = c.probe?.readings.at(-1)
  if (c.probe && first && last) {
    return { ...base, status: 'pass', message: `vacuum measured absolute by a micron probe (${c.probe.deviceId}, ${c.probe.readings.length} readings)`, evidence: [ev(first.ts, last.ts)] }
  }
  const g0 = c.gauge[0]
  const lowest = lastMinReading(c.gauge)
  if (!g0 || !lowest) {
    return { ...base, status: 'pending', message: `no vacuum readings${c.running ? ' yet' : ' at all'}: a micron probe (vacuum_micron) is needed`, evidence: [ev(c.start, c.end)] }
  }
  // DOMAIN.md: at -100 kPa(g) a compound gauge's scale cannot resolve 66.7 Pa (500 microns) from 667 Pa (5000 microns).
  const message = `only a compound gauge (lowest ${lowest.value.toFixed(1)} kPa(g), ${(lowest.value / 1000).toFixed(3)} MPa): a compound gauge reading of -0.1 MPa cannot tell 5000 microns from 500; a micron probe (vacuum_micron) is needed`
  const evs = [evidence(lowest.channel, g0.ts, c.gauge.at(-1)?.ts ?? g0.ts)]
  return c.running ? { ...base, status: 'pending', message, evidence: evs } : { ...base, status: 'fail', severity: 'major', message, evidence: evs }
}

/** The pump-down: the judged readings up to the isolation (all of them while not isolated). */
const pumpDown = (c: Context) => (c.isolatedAt === undefined ? c.rs : c.rs.filter((r) => r.ts <= c.isolatedAt!))

function reachedCheck(c: Context): CheckResult {
  const target = c.p.targetMicron.value
  const base = { id: 'vacuum_reached', unit: 'micron', limit: target }
  const down = pumpDown(c)
  const min = lastMinReading(down)
  const first = c.rs[0]
  const last = c.rs.at(-1)
  if (!min || !first || !last) {
    const message = c.running ? 'no micron readings yet' : 'no micron (vacuum_micron) readings between start and stop'
    return { ...base, status: c.running ? 'pending' : 'fail', ...(c.running ? {} : { severity: 'major' as const }), message, evidence: [ev(c.start, c.end)] }
  }
  const evs = [ev(first.ts, min.ts)]
  const after = c.brokenAt ? ` (pump-down after the vacuum was broken at ${c.at(c.brokenAt.ts)})` : ''
  if (min.value <= target) return { ...base, status: 'pass', measured: min.value, message: `reached ${microns(min.value)} at ${c.at(min.ts)}, target <= ${microns(target)}${after}`, evidence: evs }
  const isolated = c.isolatedAt !== undefined ? `isolated at ${c.at(c.isolatedAt)} with the lowest at ${microns(min.value)}` : ''
  if (c.running) return { ...base, status: 'pending', measured: min.value, message: isolated ? `${isolated}, above the target <= ${microns(target)}: pump down again and isolate` : `pumping down: now ${microns(last.value)}, lowest ${microns(min.value)}, target <= ${microns(target)}`, evidence: evs }
  return { ...base, status: 'fail', severity: 'major', measured: min.value, message: `${isolated || `lowest ${microns(min.value)}`}, above the target <= ${microns(target)}${after}`, evidence: evs }
}

function evacuationTimeCheck(c: Context, need: number): CheckResult {
  const base = { id: 'evacuation_time', unit: 's', limit: need }
  const first = c.probe?.readings[0]
  if (!first) return { ...base, status: 'pending', message: 'no micron readings: pumping time unknown', evidence: [ev(c.start, c.end)] }
  const until = c.isolatedAt ?? c.rs.at(-1)?.ts ?? first.ts
  const pumped = seconds(until - first.ts)
  const evs = [ev(first.ts, until)]
  const text = `pumped ${formatDuration(pumped)} (from the first micron reading at ${c.at(first.ts)} to ${c.isolatedAt !== undefined ? `isolation at ${c.at(c.isolatedAt)}` : 'now'}), minimum ${formatDuration(need)}`
  if (pumped >= need) return { ...base, status: 'pass', measured: pumped, message: text, evidence: evs }
  if (c.running || c.isolatedAt === undefined) return { ...base, status: 'pending', measured: pumped, message: text, evidence: evs }
  return { ...base, status: 'fail', severity: 'major', measured: pumped, message: `isolated too early: ${text}`, evidence: evs }
}

function notIsolated(c: Context, base: { id: string; unit: string }): CheckResult {
  const stale = c.stale !== undefined && c.brokenAt ? ` (the isolation marked at ${c.at(c.stale)} was before the vacuum was broken at ${c.at(c.brokenAt.ts)})` : ''
  const lowest = lastMinReading(c.rs)
  const now = lowest ? `; lowest so far ${microns(lowest.value)}` : ''
  return { ...base, status: 'pending', message: `isolation not marked${stale}: the decay test starts when the pump is isolated (${ISOLATE_HOW}); it is never guessed from the curve${now}`, evidence: [ev(c.start, c.end)] }
}

function decayCheck(c: Context): CheckResult {
  const p = c.p
  const need = p.decayTestS.value
  const noRise = (p.decayCriterion?.value ?? 'stays_below') === 'no_rise'
  const base = { id: 'decay', unit: 'micron' }
  const iso = c.isolatedAt
  if (iso === undefined) return notIsolated(c, base)
  const min = lastMinReading(pumpDown(c))
  if (!min || min.value > p.targetMicron.value) {
    return { ...base, status: 'pending', message: `no decay test: the target ${microns(p.targetMicron.value)} was not reached before the isolation at ${c.at(iso)}`, evidence: [ev(c.start, c.end)] }
  }
  const i = c.rs.findIndex((r) => r.ts >= iso)
  let k = i
  while (k >= 0 && k + 1 < c.rs.length && c.rs[k]!.ts < iso + need * 1000) k++
  const decay = i < 0 ? [] : c.rs.slice(i, k + 1)
  const startLevel = levelAt(c.rs, iso) ?? min.value
  const last = decay.at(-1)
  const elapsed = last ? seconds(last.ts - iso) : 0
  const evs = [ev(iso, last?.ts ?? iso)]
  const isolated = `isolation at ${microns(startLevel)} (${c.at(iso)})`
  const complete = elapsed >= need
  if (noRise) {
    const tol = p.riseTolerance!
    const allowed = tol.gaugeAccuracyMicron.value + (tol.gaugeAccuracyPctReading.value * startLevel) / 100
    // The end level: a line through the last minute's readings, so one noisy digit cannot fake a rise.
    const endLevel = last ? (fitAt(decay, last.ts, 60_000)?.value ?? last.value) : startLevel
    const rise = endLevel - startLevel
    const lim = { limit: Math.round(allowed), measured: Math.round(rise) }
    const tolText = `no rise allowed beyond the gauge's ±${Math.round(allowed)} microns at this level (±${tol.gaugeAccuracyMicron.value} microns + ${tol.gaugeAccuracyPctReading.value} % of reading)`
    if (rise > allowed && (complete || !c.running)) {
      const shape = describeRise([{ ...decay[0]!, value: startLevel }, ...decay.slice(1)], { ...last!, value: endLevel }, allowed + startLevel)
      if (c.running) return { ...base, ...lim, status: 'pending', message: `${shape.text}; pumping down again restarts the decay test`, evidence: evs }
      return { ...base, ...lim, status: 'fail', severity: shape.leak === false ? 'major' : 'critical', message: `rose ${Math.round(rise)} microns in ${formatDuration(elapsed)} after ${isolated}, ${tolText}: ${shape.text}`, evidence: evs }
    }
    if (complete) return { ...base, ...lim, status: 'pass', message: `no rise in ${formatDuration(elapsed)} after ${isolated}: ${Math.round(startLevel)} → ${microns(endLevel)}, ${tolText}`, evidence: evs }
    const sofar = `decay test ${formatDuration(elapsed)} of ${formatDuration(need)} since ${isolated}: ${rise >= 0 ? '+' : ''}${Math.round(rise)} microns so far, ${tolText}`
    return { ...base, ...lim, status: c.running ? 'pending' : 'fail', ...(c.running ? {} : { severity: 'major' as const }), message: c.running ? sofar : `decay test lasted ${formatDuration(elapsed)} of the required ${formatDuration(need)} after ${isolated}`, evidence: evs }
  }
  const limit = p.decayMaxMicron!.value
  const top = maxReading(decay) ?? min
  const lim = { limit, measured: top.value }
  if (top.value > limit) {
    const rise = describeRise(decay, top, limit)
    if (c.running) return { ...base, ...lim, status: 'pending', message: `${rise.text}; pumping down again restarts the decay test`, evidence: evs }
    return { ...base, ...lim, status: 'fail', severity: rise.leak === false ? 'major' : 'critical', message: rise.text, evidence: evs }
  }
  if (complete) return { ...base, ...lim, status: 'pass', message: `stayed at or below ${microns(limit)} for ${formatDuration(elapsed)} after ${isolated}: highest ${microns(top.value)}`, evidence: evs }
  if (c.running) return { ...base, ...lim, status: 'pending', message: `decay test ${formatDuration(elapsed)} of ${formatDuration(need)} since ${isolated}: now ${microns(last?.value ?? startLevel)}, limit ${microns(limit)}`, evidence: evs }
  return { ...base, ...lim, status: 'fail', severity: 'major', message: `decay test lasted ${formatDuration(elapsed)} of the required ${formatDuration(need)} after ${isolated}`, evidence: evs }
}

export function evaluateEvacuation(input: EvacuationInput): StepResult {
  const running = input.window.stop === undefined
  const start = input.window.start
  const end = windowEnd(input.window, input.now)
  const probes = seriesByDevice(channelReadings(input.readings, 'vacuum_micron', start, end), 'vacuum_micron').map((s) => ({ s, g: splitGlitches(s.readings) }))
  // The most conservative probe: highest lowest (plausible) reading.
  let probe: (typeof probes)[number] | undefined
  for (const x of probes) if (!probe || (lastMinReading(x.g.kept)?.value ?? 0) > (lastMinReading(probe.g.kept)?.value ?? 0)) probe = x
  const judged = judgedReadings(probe?.g.kept ?? [], input.params.targetMicron.value)
  const gauge = [...channelReadings(input.readings, 'pressure_low_kpag', start, end), ...channelReadings(input.readings, 'pressure_high_kpag', start, end)].sort(byTime)
  const isolations = (input.isolations ?? []).filter((t) => t >= start && t <= end).sort((a, b) => a - b)
  const lastIso = isolations.at(-1)
  const firstJudged = judged.readings[0]?.ts
  const stale = lastIso !== undefined && judged.brokenAt !== undefined && firstJudged !== undefined && lastIso < firstJudged
  const c: Context = {
    p: input.params,
    running,
    start,
    end,
    ...(probe ? { probe: probe.s } : {}),
    rs: judged.readings,
    ...(judged.brokenAt ? { brokenAt: judged.brokenAt } : {}),
    ...(lastIso !== undefined && !stale ? { isolatedAt: lastIso } : {}),
    ...(stale ? { stale: lastIso } : {}),
    gauge,
    at: (ts) => formatDuration(seconds(ts - start)),
  }
  const checks = [gaugeCheck(c), reachedCheck(c)]
  if (input.params.minEvacuationS) checks.push(evacuationTimeCheck(c, input.params.minEvacuationS.value))
  checks.push(decayCheck(c))
  if (probe && probe.g.glitches.length > 0) checks.push(glitchCheck(probe.s.deviceId, probe.g.glitches, probe.s.readings, c.at))
  return { id: 'evacuation', status: stepStatusFromChecks(checks, running), checks }
}
