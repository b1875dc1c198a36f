/**
 * The 30-minute test run (S1: seed §5 ch.7 art.21; addendum art.11: "after installation
 * the whole unit must test-run at least 30 minutes"). Pure: the gateway hands in the
 * pack parameters, the unit's nameplate rated current and refrigerant, the installer's
 * start/stop markers, the evaluation time and the readings; nothing here reads a clock or
 * a file.
 *
 * Only time covered by readings counts: a run is a chain of running readings (current
 * >= runningCurrentMinA) no more than maxGapS apart, and lasts from its first to its last
 * reading. A non-running reading or a longer gap ends the chain (../run-detector.ts, shared
 * with the power test). The commissioning checks (air ΔT, superheat, subcooling:
 * commissioning.ts) look at the longest run.
 */
import type { ChannelName } from '../../../contract/channels.js'
import { formatDuration } from '../../format-duration.js'
import type { TestRunParams as PackTestRunParams } from '../../pack-schema.js'
import { stepStatusFromChecks, type CheckResult, type Evidence, type StepResult } from '../../result.js'
import type { BandContext } from './band.js'
import type { SiteAtmosphere } from '../../site-atmosphere.js'
import { targetSuperheatK } from '../../target-superheat.js'
import { airDeltaTCheck, airDeltaTHeatingCheck, notMeasurable, subcoolingCheck, superheatCheck, type SideOptions } from './commissioning.js'
import { currentCheck } from './current.js'
import { leakageCheck } from './leakage.js'
import type { BandCheckParams, TestRunCheckParams } from './params.js'
import { channelReadings, median, type TestRunReadings } from './series.js'
import { CHANNEL_ROLES, narrowChannel, type ChannelRoles } from './sources.js'
import { detectRuns, largestGap, longestRun, openRun, type Run, type RunTimeline } from '../run-detector.js'

export { formatDuration } from '../../format-duration.js'
export type { TestRunReadings } from './series.js'

/** The pack's test_run parameters; the commissioning groups are optional (absent → check not run). */
export type TestRunParams = PackTestRunParams & TestRunCheckParams

const CHANNEL: ChannelName = 'current_a'

/** Every channel the test run reads: the gateway fetches these for the step window. */
export const TEST_RUN_CHANNELS = [
  'current_a',
  'leakage_ma',
  'temp_outdoor_c',
  'temp_supply_air_c',
  'temp_return_air_c',
  'temp_suction_c',
  'pressure_low_kpag',
  'temp_liquid_c',
  'pressure_high_kpag',
] as const satisfies readonly ChannelName[]

export interface TestRunInput {
  params: TestRunParams
  /** Nameplate rated current of the unit, A. Not positive or not finite → the current check stays pending. */
  ratedCurrentA: number
  /** Nameplate maximum current, A (inverter units): the hard limit; rated × ratio after pull-down only warns. */
  maxCurrentA?: number | undefined
  /** Cooling (default) or heating run (heat pumps): which air ΔT band applies, whether charge is judged. */
  mode?: 'cooling' | 'heating' | undefined
  /** Service ports the unit has (unit data, else the pack's default); absent: both. */
  ports?: { lowSide: boolean; highSide: boolean } | undefined
  /** Metering device: fixed-orifice/capillary units are judged against a target superheat when the pack has one. */
  meteringDevice?: 'txv' | 'eev' | 'fixed-orifice' | 'capillary' | undefined
  /** Indoor return-air wet bulb measured by the installer, °C (fact on the step marker): target superheat. */
  indoorWetBulbC?: number | undefined
  /** The site's gauge zero (rules/site-atmosphere.ts). Absent: ISA sea level. */
  atmosphere?: SiteAtmosphere | undefined
  /** Which device's channel is which (declared at attachment): the run reads the compressor current. */
  roles?: ChannelRoles | undefined
  /** The unit's refrigerant, e.g. 'R32' (job unit record). Unknown → superheat/subcooling stay pending. */
  refrigerant: string
  /** The installer's start/stop markers, ms. No stop: the test run is still going. */
  window: { start: number; stop?: number }
  /** Evaluation time, ms. While running, readings dated after it are ignored. */
  now: number
  /** Readings by channel from all attached devices (TEST_RUN_CHANNELS). Sorted here defensively; other channels are ignored. */
  readings: TestRunReadings
}

const seconds = (ms: number) => ms / 1000
const durationS = (s: Run) => seconds(s.to - s.from)
const amps = (v: number) => `${Math.round(v * 100) / 100} A`
const range = (from: number, to: number): Evidence => ({ channel: CHANNEL, from, to })

/** What every check needs; built once per evaluation. */
interface Context {
  input: TestRunInput
  p: TestRunParams
  running: boolean
  /** Upper bound of the window: the stop marker, or now while running. */
  end: number
  tl: RunTimeline
  /** Offset from the start marker, for messages: "at 18:20". */
  at: (ts: number) => string
  /** Why current_a cannot be read (several devices, none marked as the compressor), if so. */
  sourceError?: string | undefined
}

function progressMessage(c: Context, longest: number): string {
  const limit = formatDuration(c.p.minDurationS.value)
  const last = c.tl.readings.at(-1)
  if (!last) return `test run 0:00 of ${limit}: no current readings yet`
  const open = openRun(c.tl, c.p)
  const elapsed = open ? durationS(open) : 0
  let msg = `test run ${formatDuration(elapsed)} of ${limit}`
  if (!open) msg += `: unit not running (last current ${amps(last.value)}, running means >= ${amps(c.p.runningCurrentMinA.value)})`
  else if (c.input.now - last.ts > c.p.maxGapS.value * 1000) msg += `: no current reading for ${formatDuration(seconds(c.input.now - last.ts))}`
  if (longest > elapsed) msg += `; longest continuous run so far ${formatDuration(longest)}`
  return msg
}

function shortRunReasons(c: Context): string {
  const reasons: string[] = []
  const largest = largestGap(c.tl)
  if (largest) {
    const len = formatDuration(seconds(largest.to - largest.from))
    reasons.push(`continuity broken by a ${len} gap without readings from ${c.at(largest.from)} to ${c.at(largest.to)} (gaps over ${formatDuration(c.p.maxGapS.value)} break it)`)
  }
  if (c.tl.stoppedAt) reasons.push(`the unit stopped running (${amps(c.tl.stoppedAt.value)}) at ${c.at(c.tl.stoppedAt.ts)}`)
  if (reasons.length === 0) reasons.push(`stopped at ${c.at(c.end)}`)
  return reasons.join('; ')
}

function durationCheck(c: Context): CheckResult {
  const limit = c.p.minDurationS.value
  const seg = longestRun(c.tl.runs)
  const longest = seg ? durationS(seg) : 0
  const base = { id: 'duration', measured: longest, limit, unit: 's', clause: 'S1' }
  const evidence = seg ? [range(seg.from, seg.to)] : [range(c.input.window.start, c.end)]
  if (longest >= limit) {
    return { ...base, status: 'pass', message: `ran ${formatDuration(longest)} continuously (required ${formatDuration(limit)})`, evidence }
  }
  if (c.running) return { ...base, status: 'pending', message: progressMessage(c, longest), evidence }

  let message: string
  if (c.sourceError) {
    return { ...base, status: 'pending', message: c.sourceError, evidence }
  } else if (c.tl.readings.length === 0) {
    message = `no current readings between the start and stop markers (${formatDuration(seconds(c.end - c.input.window.start))} apart): the ${formatDuration(limit)} test run cannot be shown`
  } else if (!seg) {
    message = `the unit never ran: no current reading reached ${amps(c.p.runningCurrentMinA.value)} between start and stop (required ${formatDuration(limit)} continuous run)`
  } else {
    message = `longest continuous run ${formatDuration(longest)} of the required ${formatDuration(limit)}; ${shortRunReasons(c)}`
    const gap = largestGap(c.tl)
    if (gap) evidence.push(range(gap.from, gap.to))
  }
  return { ...base, status: 'fail', severity: 'critical', message, evidence }
}

/** ARCHITECTURE.md principle 3: show how much evidence arrived live, so an upload of 30 minutes in 2 seconds is visible. */
function liveCheck(c: Context): CheckResult {
  const rs = c.tl.readings
  const first = rs[0]
  const last = rs.at(-1)
  const limit = Math.round(c.p.minLiveFraction.value * 100_000) / 1000
  const base = { id: 'evidence_live', limit, unit: '%' }
  if (!first || !last) {
    return { ...base, status: 'pending', message: 'no readings yet to show how the evidence arrived', evidence: [range(c.input.window.start, c.end)] }
  }
  const lagMs = c.p.liveLagMaxS.value * 1000
  const live = rs.filter((r) => r.receivedAt - r.ts <= lagMs).length
  // Integer arithmetic, rounded down: "90%" is only shown when at least 90% arrived live.
  const livePct = Math.floor((live * 100) / rs.length)
  const measured = Math.floor((live * 1000) / rs.length) / 10
  const ok = live / rs.length >= c.p.minLiveFraction.value
  const detail = `received more than ${formatDuration(c.p.liveLagMaxS.value)} after measurement`
  const message = `${livePct}% of the evidence arrived live; ${100 - livePct}% was back-filled (${detail})` + (ok ? '' : `; at least ${limit}% live expected`)
  return { ...base, status: ok ? 'pass' : 'warn', measured, message, ...(ok ? {} : { severity: 'minor' as const }), evidence: [range(first.ts, last.ts)] }
}

function commissioningChecks(c: Context, run: Run | undefined): CheckResult[] {
  const bc: BandContext = {
    readings: c.input.readings,
    running: c.running,
    start: c.input.window.start,
    end: c.end,
    ...(run ? { run: { from: run.from, to: run.to } } : {}),
    maxGapMs: c.p.maxGapS.value * 1000,
    at: c.at,
  }
  const checks: CheckResult[] = []
  const { input, p } = c
  const heating = input.mode === 'heating'
  if (heating) {
    if (p.airDeltaTHeating) checks.push(airDeltaTHeatingCheck(p.airDeltaTHeating, bc))
  } else if (p.airDeltaT) checks.push(airDeltaTCheck(p.airDeltaT, bc))
  const ports = input.ports ?? { lowSide: true, highSide: true }
  const side = { atmosphere: input.atmosphere }
  // Manufacturers charge and check charge in cooling (e.g. Carrier/ICP split instructions): a heating run does not judge it.
  const inHeating = 'heating run: charge is judged in the cooling run'
  if (p.superheat) {
    if (heating) checks.push(notMeasurable('superheat', inHeating))
    else if (!ports.lowSide) checks.push(notMeasurable('superheat', 'the unit has no low-side service port'))
    else checks.push(superheatFor(c, p.superheat, bc, side))
  }
  if (p.subcooling) {
    if (heating) checks.push(notMeasurable('subcooling', inHeating))
    else if (!ports.highSide) checks.push(notMeasurable('subcooling', 'the unit has no high-side (liquid) service port, as ductless splits usually do; charge is judged by superheat'))
    else checks.push(subcoolingCheck(p.subcooling, input.refrigerant, bc, side))
  }
  return checks
}

/**
 * Superheat: the pack's fixed band, or, for a fixed-orifice/capillary unit where the pack
 * gives a target method, target ± tolerance from indoor wet bulb and outdoor dry bulb.
 */
function superheatFor(c: Context, band: BandCheckParams, bc: BandContext, side: SideOptions): CheckResult {
  const t = c.p.targetSuperheat
  const metering = c.input.meteringDevice
  if (!t || metering === undefined || !t.meteringDevices.value.includes(metering)) return superheatCheck(band, c.input.refrigerant, bc, side)
  const wb = c.input.indoorWetBulbC
  const outdoor = channelReadings(c.input.readings, 'temp_outdoor_c', bc.run?.from ?? c.input.window.start, bc.run?.to ?? c.end)
  const pending = (message: string): CheckResult => ({ id: 'superheat', status: 'pending', unit: 'K', message })
  if (wb === undefined) return pending(`${metering} unit: target superheat needs the indoor wet bulb (fact indoorWetBulbC on the test_run marker)`)
  if (outdoor.length === 0) return pending(`${metering} unit: target superheat needs the outdoor dry bulb (temp_outdoor_c readings during the run)`)
  const values: number[] = []
  for (const r of outdoor) values.push(r.value)
  const target = targetSuperheatK(t, wb, median(values))
  if (!target.ok) return { id: 'superheat', status: 'warn', severity: 'minor', unit: 'K', message: `${metering} unit: ${target.reason}` }
  const tol = t.toleranceK.value
  const k = Math.round(target.targetK * 10) / 10
  const params: BandCheckParams = {
    ...band,
    minK: { value: Math.round((target.targetK - tol) * 10) / 10, source: t.method.source },
    maxK: { value: Math.round((target.targetK + tol) * 10) / 10, source: t.toleranceK.source },
  }
  return superheatCheck(params, c.input.refrigerant, bc, { ...side, target: `${metering} unit: ${target.how}: ${k.toFixed(1)} K ± ${tol} K` })
}

export function evaluateTestRun(input: TestRunInput, stepId = 'test_run'): StepResult {
  const running = input.window.stop === undefined
  const end = input.window.stop ?? input.now
  // The run's evidence is the compressor current, never a merge with the indoor unit's own current.
  const narrowed = narrowChannel(input.readings, CHANNEL, CHANNEL_ROLES.compressor, input.roles ?? {})
  const readings = channelReadings(narrowed.readings, CHANNEL, input.window.start, end)
  const at = (ts: number) => formatDuration(seconds(ts - input.window.start))
  const c: Context = { input, p: input.params, running, end, tl: detectRuns(readings, input.params), at, sourceError: narrowed.error }
  const current = currentCheck({
    p: input.params,
    ratedCurrentA: input.ratedCurrentA,
    maxCurrentA: input.maxCurrentA,
    runs: c.tl.runs,
    running,
    window: { from: input.window.start, to: end },
    at,
    sourceError: narrowed.error,
  })
  const checks = [durationCheck(c), current, liveCheck(c), ...commissioningChecks(c, longestRun(c.tl.runs))]
  if (input.params.leakage) {
    const leak = channelReadings(input.readings, 'leakage_ma', input.window.start, end)
    checks.push(leakageCheck({ maxMa: input.params.leakage.maxMa.value, readings: leak, running, window: { from: input.window.start, to: end }, at }))
  }
  return { id: stepId, status: stepStatusFromChecks(checks, running), checks }
}
