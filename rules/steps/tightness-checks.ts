/**
 * The tightness test's checks (gas, test pressure, stages, hold duration, pressure drop),
 * built from the judged pressure series and the pipe temperatures however they were found:
 * from whole arrays (evaluateTightness, tightness.ts) or from a summary of the cache's
 * windows (tightness-summary.ts). One builder for both, so the two give the same bytes.
 * How the readings become a hold, and why: tightness.ts.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import { ATMOSPHERE_KPA } from '../../contract/units.js'
import { formatDuration } from '../format-duration.js'
import { n2IsochoricPressureKpa } from '../gas/nitrogen.js'
import { isNitrogen } from '../gas/test-gas.js'
import type { MeterAccuracy } from '../meter-accuracy.js'
import { stepStatusFromChecks, type CheckResult, type Evidence, type StepResult } from '../result.js'
import type { Hold } from './pressure-holds.js'
import { evidence, seconds, windowEnd } from './series.js'
import type { TightnessCommon, TightnessParams } from './tightness-params.js'
import { describeBudget, dropUncertainty, type DropUncertainty } from './tightness-uncertainty.js'
import { stagesCheck, type Stages } from './tightness-stages.js'

/**
 * Real nitrogen at constant volume: the pressure (kPa(g)) a sealed system filled to p1 at
 * t1 shows at t2, from the reference equation of state (DOMAIN.md: 3.8 MPa(g) at 27 °C →
 * 3.701 at 20 °C; the ideal gas would say 3.709).
 */
export function compensatedPressureKpaG(p1KpaG: number, t1C: number, t2C: number, atmosphereKpa = ATMOSPHERE_KPA): number {
  return n2IsochoricPressureKpa(p1KpaG + atmosphereKpa, t1C, t2C) - atmosphereKpa
}

interface Drop {
  /** Fitted pressure at the hold's start and end, kPa(g). */
  p1: number
  p2: number
  raw: number
  /** Set when the fitted state lies outside the nitrogen equation's range. */
  outOfRange?: string
  /** Absent when there is no pipe temperature near the hold's start or end (or outOfRange). */
  comp?: { drop: number; expected: number; t1: number; t2: number; ev: Evidence[]; allowed: DropUncertainty; gaugeZero: string }
}

// Pressure at the hold's start and end: a line fitted to the hold's own readings within
// ±60 s, so one noisy manifold reading (a ±5 kPa digit) cannot fake or hide a 10 kPa drop.
export const PRESSURE_RADIUS_MS = 60_000

function dropOf(c: Context, h: Hold): Drop {
  const p1 = c.series?.fitIn(h, h.start.ts)?.value ?? h.start.value
  const p2 = c.series?.fitIn(h, h.end.ts)?.value ?? h.end.value
  const raw = p1 - p2
  const t1 = c.fitTemp(h.start.ts)
  const t2 = c.fitTemp(h.end.ts)
  if (!t1 || !t2) return { p1, p2, raw }
  const ev = [evidence('temp_pipe_c', t1.from, t1.to), evidence('temp_pipe_c', t2.from, t2.to)]
  const state = { p1KpaG: p1, t1C: t1.value, p2KpaG: p2, t2C: t2.value, atmosphereKpa: c.atmosphereKpa }
  try {
    const expected = compensatedPressureKpaG(p1, t1.value, t2.value, c.atmosphereKpa)
    const allowed = dropUncertainty(state, c.p.uncertainty, c.pressureMeter.accuracy, c.probe.accuracy, `${c.pressureMeter.basis}; ${c.probe.basis}`)
    return { p1, p2, raw, comp: { drop: expected - p2, expected, t1: t1.value, t2: t2.value, ev, allowed, gaugeZero: c.atmosphereBasis } }
  } catch (err) {
    // A fitted state outside the equation's gas range (absurd readings): not compensable, never a crash.
    if (err instanceof RangeError) return { p1, p2, raw, outOfRange: err.message }
    throw err
  }
}

// toFixed without a "-0.0".
const fix = (n: number, d: number) => (Math.abs(n) < 0.5 * 10 ** -d ? 0 : n).toFixed(d)
const mpa = (kpa: number) => `${fix(kpa / 1000, 3)} MPa(g)`
const round1 = (n: number) => Math.round(n * 10) / 10

type Fit = { value: number; from: number; to: number }

/**
 * The pressure series judged, as the checks read it: from an array (evaluateTightness) or
 * from a summary of the cache's window (tightness-summary.ts); both give the same values.
 */
export interface JudgedSeries {
  deviceId: string
  channel: ChannelName
  first: Reading
  last: Reading
  holds: Hold[]
  /** filledTo(series, holds). */
  top: Reading | undefined
  /** stagesCheck of the series before its first hold. */
  stages: (stages: Stages, tolerancePct: number, running: boolean, ev: (from: number, to: number) => Evidence, at: (ts: number) => string) => CheckResult
  /** fitAt(the hold's own readings, t, PRESSURE_RADIUS_MS). */
  fitIn: (h: Hold, t: number) => Fit | undefined
}

interface Context {
  p: TightnessParams
  /** Test and maximum pressure after the unit's design-pressure cap, kPa(g). */
  test: number
  max: number
  /** Set when the design pressure lowered the pack's figures. */
  cappedBy?: number
  atmosphereKpa: number
  atmosphereBasis: string
  pressureMeter: { accuracy: MeterAccuracy; basis: string }
  probe: { accuracy: MeterAccuracy; basis: string }
  running: boolean
  start: number
  end: number
  series?: JudgedSeries
  holds: Hold[]
  /** fitAt(the pipe temperatures, t, TEMP_RADIUS_MS). */
  fitTemp: (t: number) => Fit | undefined
  at: (ts: number) => string
  ev: (from: number, to: number) => Evidence
}

function gasCheck(c: Context, facts: Record<string, unknown>): CheckResult {
  const gas = facts['gas']
  const base = { id: 'gas_nitrogen', clause: 'S13', evidence: [c.ev(c.start, c.end)] }
  if (isNitrogen(gas)) return { ...base, status: 'pass', message: `test gas declared as ${JSON.stringify(gas)}` }
  const declared = typeof gas === 'string' && gas.trim() !== '' ? `declared as ${JSON.stringify(gas)}` : 'not declared (fact "gas" on the start marker)'
  // seed §5 ch.5 art.13: air's oxygen with compressor oil under pressure can explode; flammable gas likewise.
  return { ...base, status: 'fail', severity: 'critical', message: `test gas ${declared}: a pressure leak test may only use nitrogen (S13)` }
}

function pressureCheck(c: Context): CheckResult {
  const test = c.test
  const maxAllowed = c.max
  const cap = c.cappedBy !== undefined ? ` (capped by the unit's design pressure ${mpa(c.cappedBy)})` : ''
  const top = c.series?.top
  const base = { id: 'test_pressure', unit: 'kPa(g)', limit: test }
  if (!top) {
    const message = c.running ? 'no pressure readings yet' : 'no pressure readings (pressure_high_kpag or pressure_low_kpag) between start and stop'
    return { ...base, status: c.running ? 'pending' : 'fail', ...(c.running ? {} : { severity: 'major' as const }), message, evidence: [c.ev(c.start, c.end)] }
  }
  const ev = [c.ev(c.series!.first.ts, top.ts)]
  const reached = `${mpa(top.value)} (${c.series?.deviceId} ${c.series?.channel})`
  if (top.value > maxAllowed) {
    return { ...base, limit: maxAllowed, status: 'fail', severity: 'major', measured: top.value, message: `filled to ${reached} at ${c.at(top.ts)}, above the maximum ${mpa(maxAllowed)}${cap}`, evidence: ev }
  }
  if (top.value >= test) return { ...base, status: 'pass', measured: top.value, message: `filled to ${reached}: test pressure ${mpa(test)}, maximum ${mpa(maxAllowed)}${cap}`, evidence: ev }
  if (c.running) return { ...base, status: 'pending', measured: top.value, message: `pressurising: highest so far ${mpa(top.value)} of ${mpa(test)}${cap}`, evidence: ev }
  return { ...base, status: 'fail', severity: 'major', measured: top.value, message: `highest pressure ${reached}, below the test pressure ${mpa(test)}${cap}`, evidence: ev }
}

function holdCheck(c: Context): CheckResult {
  const need = c.p.holdS.value
  const h = c.holds.at(-1)
  const base = { id: 'hold_duration', unit: 's', limit: need }
  if (!h) {
    const last = c.series?.last
    const now = last ? `; now ${mpa(last.value)}` : '; no pressure readings'
    if (c.running) return { ...base, status: 'pending', measured: 0, message: `hold 0:00 of ${formatDuration(need)}: waiting for the test pressure ${mpa(c.test)}${now}`, evidence: [c.ev(c.start, c.end)] }
    return { ...base, status: 'fail', severity: 'major', measured: 0, message: `never held at the test pressure ${mpa(c.test)}${now}`, evidence: [c.ev(c.start, c.end)] }
  }
  const held = seconds(h.end.ts - h.start.ts)
  const ev = [c.ev(h.start.ts, h.end.ts)]
  let note = c.holds.length > 1 ? ` (restarted at ${c.at(h.start.ts)} after a re-fill)` : ''
  if (h.cut?.kind === 'fall') note += `; the pressure then fell fast to ${mpa(h.cut.to.value)} at ${c.at(h.cut.to.ts)} (vented, or a gross leak)`
  if (held >= need) return { ...base, status: 'pass', measured: held, message: `held ${formatDuration(held)} from ${mpa(h.start.value)} (required ${formatDuration(need)})${note}`, evidence: ev }
  if (c.running) return { ...base, status: 'pending', measured: held, message: `hold ${formatDuration(held)} of ${formatDuration(need)}${note}`, evidence: ev }
  return { ...base, status: 'fail', severity: 'major', measured: held, message: `held ${formatDuration(held)} of the required ${formatDuration(need)}${note}`, evidence: ev }
}

function describeDrop(d: Drop): string {
  const raw = `raw drop ${fix(d.raw, 1)} kPa (${mpa(d.p1)} → ${mpa(d.p2)})`
  if (!d.comp) return raw
  const { t1, t2, expected, drop, allowed, gaugeZero } = d.comp
  return `compensated drop ${fix(drop, 1)} kPa, limit ${fix(allowed.allowedKpa, 1)} kPa; ${raw}; pipe ${fix(t1, 1)} → ${fix(t2, 1)} °C, so ${mpa(expected)} expected (real-gas nitrogen, Span et al. 2000; gauge zero: ${gaugeZero}); ${describeBudget(allowed)}`
}

function dropCheck(c: Context): CheckResult {
  const need = c.p.holdS.value * 1000
  const base = { id: 'pressure_drop', unit: 'kPa' }
  const limitOf = (d: Drop) => (d.comp ? { limit: round1(d.comp.allowed.allowedKpa) } : {})
  // An earlier complete hold that leaked stays a leak, whatever a later re-fill shows.
  for (const h of c.holds.slice(0, -1)) {
    const d = dropOf(c, h)
    if (h.end.ts - h.start.ts >= need && d.comp && d.comp.drop > d.comp.allowed.allowedKpa) {
      const message = `leak in the hold from ${c.at(h.start.ts)} to ${c.at(h.end.ts)}, before the re-fill: ${describeDrop(d)}`
      return { ...base, ...limitOf(d), status: 'fail', severity: 'critical', measured: round1(d.comp.drop), message, evidence: [c.ev(h.start.ts, h.end.ts), ...d.comp.ev] }
    }
  }
  const h = c.holds.at(-1)
  if (!h) return { ...base, status: 'pending', message: 'no hold at the test pressure to judge yet', evidence: [c.ev(c.start, c.end)] }
  const d = dropOf(c, h)
  const ev = [c.ev(h.start.ts, h.end.ts)]
  if (d.outOfRange) return { ...base, status: 'pending', message: `cannot compensate: ${d.outOfRange}; ${describeDrop(d)}`, evidence: ev }
  if (!d.comp) {
    // Without temperature a flat raw pressure may hide a leak behind warming (and a drop may be cooling): undecidable.
    const message = `no pipe temperature (temp_pipe_c) within 1:00 of the hold's start and end: ${describeDrop(d)} cannot be compensated`
    return { ...base, status: 'pending', message, evidence: ev }
  }
  const complete = h.end.ts - h.start.ts >= need
  const text = describeDrop(d)
  const measured = round1(d.comp.drop)
  const all = [...ev, ...d.comp.ev]
  const leaking = d.comp.drop > d.comp.allowed.allowedKpa
  const lim = limitOf(d)
  if (leaking && (complete || !c.running)) return { ...base, ...lim, status: 'fail', severity: 'critical', measured, message: `leak: ${text}`, evidence: all }
  if (complete) return { ...base, ...lim, status: 'pass', measured, message: `no leak: ${text}`, evidence: all }
  const sofar = c.running ? `so far (hold not complete): ${text}${leaking ? ': leaking' : ''}` : `hold too short to show tightness: ${text}`
  return { ...base, ...lim, status: 'pending', measured, message: sofar, evidence: all }
}

/** What the meters declared (device attributes), for the uncertainty budget; {} means the pack's defaults. */
/** `probeIds`: the devices with pipe temperatures in the window, sorted. */
function metersOf(input: TightnessCommon, seriesDevice: string | undefined, ids: readonly string[]): Pick<Context, 'pressureMeter' | 'probe'> {
  const meters = input.meters ?? new Map<string, MeterAccuracy>()
  const m = seriesDevice !== undefined ? meters.get(seriesDevice) : undefined
  const declaresPressure = m !== undefined && (m.pressureAccuracyPctFs !== undefined || m.pressureAccuracyPctReading !== undefined || m.pressureAccuracyKpa !== undefined)
  const pressureMeter = { accuracy: m ?? {}, basis: `pressure: ${declaresPressure ? `${seriesDevice} declared accuracy` : 'pack default accuracy'}` }
  // Several probes: the least accurate one speaks for all (their readings are fitted together).
  const u = input.params.uncertainty
  let probeK = 0
  let probeRes = 0
  const declared: string[] = []
  for (const id of ids) {
    const a = meters.get(id)
    if (a?.temperatureAccuracyK !== undefined) declared.push(id)
    probeK = Math.max(probeK, a?.temperatureAccuracyK ?? u.probeAccuracyK.value)
    probeRes = Math.max(probeRes, a?.temperatureResolutionK ?? u.probeResolutionK.value)
  }
  const probe = {
    accuracy: ids.length > 0 ? { temperatureAccuracyK: probeK, temperatureResolutionK: probeRes } : {},
    basis: `probe: ${declared.length > 0 ? `${declared.join(', ')} declared accuracy` : 'pack default accuracy'}`,
  }
  return { pressureMeter, probe }
}

/** The test and maximum pressure after the unit's design-pressure cap, kPa(g). */
export function tightnessLimits(input: TightnessCommon): { test: number; max: number; design: number | undefined } {
  const p = input.params
  const design = input.designPressureKpaG
  // Capped by the design pressure, the pack's margin between test and maximum is kept (4.0/4.15 of it).
  const max = Math.min(p.maxPressureKpaG.value, design ?? Infinity)
  const test = Math.min(p.testPressureKpaG.value, Math.round(((max * p.testPressureKpaG.value) / p.maxPressureKpaG.value) * 10) / 10)
  return { test, max, design }
}

/** The checks, from the judged series and the pipe temperatures (however they were found). */
export function judgeTightness(input: TightnessCommon, series: JudgedSeries | undefined, probeIds: readonly string[], fitTemp: (t: number) => Fit | undefined): StepResult {
  const running = input.window.stop === undefined
  const end = windowEnd(input.window, input.now)
  const start = input.window.start
  const channel = series?.channel ?? 'pressure_high_kpag'
  const p = input.params
  const { test, max, design } = tightnessLimits(input)
  const c: Context = {
    p,
    test,
    max,
    ...(design !== undefined && design < p.maxPressureKpaG.value ? { cappedBy: design } : {}),
    atmosphereKpa: input.atmosphereKpa ?? ATMOSPHERE_KPA,
    atmosphereBasis: input.atmosphereBasis ?? (input.atmosphereKpa === undefined ? `sea-level atmosphere ${ATMOSPHERE_KPA} kPa` : `atmosphere ${input.atmosphereKpa} kPa`),
    ...metersOf(input, series?.deviceId, probeIds),
    running,
    start,
    end,
    ...(series ? { series } : {}),
    holds: series?.holds ?? [],
    fitTemp,
    at: (ts) => formatDuration(seconds(ts - start)),
    ev: (from, to) => evidence(channel, from, to),
  }
  const checks = [gasCheck(c, input.facts), pressureCheck(c)]
  const tol = p.stageTolerancePct?.value ?? 10
  if (p.stages) checks.push(series ? series.stages(p.stages, tol, running, c.ev, c.at) : stagesCheck(p.stages, tol, [], 0, running, c.ev, c.at))
  checks.push(holdCheck(c), dropCheck(c))
  return { id: 'tightness', status: stepStatusFromChecks(checks, running), checks }
}
