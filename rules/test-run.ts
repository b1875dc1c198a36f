/**
 * The 30-minute test run (S1: seed §5 ch.7 art.21; addendum art.11: "after installation
 * the whole unit must test-run at least 30 minutes"). Pure: the gateway hands in the
 * pack parameters, the unit's nameplate rated current and refrigerant, the installer's
 * start/stop markers, the evaluation time and the readings; nothing here reads a clock or
 * a file.
 *
 * Only time covered by readings counts: a run is a chain of running readings (current
 * >= runningCurrentMinA) no more than maxGapS apart, and lasts from its first to its last
 * reading. A non-running reading or a longer gap ends the chain. The commissioning checks
 * (air ΔT, superheat, subcooling: test-run-commissioning.ts) look at the longest run.
 */
import type { ChannelName } from '../gateway/contract/channels.js'
import { formatDuration } from './format-duration.js'
import type { TestRunParams as PackTestRunParams } from './pack-schema.js'
import { stepStatusFromChecks, type CheckResult, type Evidence, type StepResult } from './result.js'
import type { BandContext } from './test-run-band.js'
import { airDeltaTCheck, subcoolingCheck, superheatCheck } from './test-run-commissioning.js'
import type { TestRunCheckParams } from './test-run-params.js'
import { channelReadings, type TestRunReadings } from './test-run-series.js'
import { buildTimeline, largestGap, longestSegment, type Segment, type Timeline } from './test-run-timeline.js'

export { formatDuration } from './format-duration.js'
export type { TestRunReadings } from './test-run-series.js'

/** The pack's test_run parameters; the commissioning groups are optional (absent → check not run). */
export type TestRunParams = PackTestRunParams & TestRunCheckParams

const CHANNEL: ChannelName = 'current_a'

/** Every channel the test run reads: the gateway fetches these for the step window. */
export const TEST_RUN_CHANNELS = [
  'current_a',
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
const durationS = (s: Segment) => seconds(s.to - s.from)
const amps = (v: number) => `${Math.round(v * 100) / 100} A`
const range = (from: number, to: number): Evidence => ({ channel: CHANNEL, from, to })

/** What every check needs; built once per evaluation. */
interface Context {
  input: TestRunInput
  p: TestRunParams
  running: boolean
  /** Upper bound of the window: the stop marker, or now while running. */
  end: number
  tl: Timeline
  /** Offset from the start marker, for messages: "at 18:20". */
  at: (ts: number) => string
}

function progressMessage(c: Context, longest: number): string {
  const limit = formatDuration(c.p.minDurationS.value)
  const last = c.tl.readings.at(-1)
  if (!last) return `test run 0:00 of ${limit}: no current readings yet`
  const lastSeg = c.tl.segments.at(-1)
  const isOpen = lastSeg !== undefined && lastSeg.to === last.ts && last.value >= c.p.runningCurrentMinA.value
  const elapsed = isOpen ? durationS(lastSeg) : 0
  let msg = `test run ${formatDuration(elapsed)} of ${limit}`
  if (!isOpen) msg += `: unit not running (last current ${amps(last.value)}, running means >= ${amps(c.p.runningCurrentMinA.value)})`
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
  const seg = longestSegment(c.tl.segments)
  const longest = seg ? durationS(seg) : 0
  const base = { id: 'duration', measured: longest, limit, unit: 's', clause: 'S1' }
  const evidence = seg ? [range(seg.from, seg.to)] : [range(c.input.window.start, c.end)]
  if (longest >= limit) {
    return { ...base, status: 'pass', message: `ran ${formatDuration(longest)} continuously (required ${formatDuration(limit)})`, evidence }
  }
  if (c.running) return { ...base, status: 'pending', message: progressMessage(c, longest), evidence }

  let message: string
  if (c.tl.readings.length === 0) {
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

function currentCheck(c: Context): CheckResult {
  const rated = c.input.ratedCurrentA
  const ratio = c.p.currentMaxRatioOfRated.value
  const graceMs = c.p.startupGraceS.value * 1000
  // Compressor inrush: the first startupGraceS of every run is not held against the rating.
  const eligible = c.tl.segments.flatMap((s) => s.readings.filter((r) => r.ts - s.from >= graceMs))
  const window = [range(c.input.window.start, c.end)]
  if (!(Number.isFinite(rated) && rated > 0)) {
    return { id: 'current_within_rating', status: 'pending', unit: 'A', message: 'nameplate rated current unknown: running current cannot be compared with it', evidence: window }
  }
  const limit = rated * ratio
  const base = { id: 'current_within_rating', limit, unit: 'A' }
  const ratingText = `${ratio} × rated ${amps(rated)}`
  if (eligible.length === 0) {
    const when = c.running ? 'yet' : 'between start and stop'
    return { ...base, status: 'pending', message: `no running current after the ${formatDuration(c.p.startupGraceS.value)} start-up grace ${when}`, evidence: window }
  }
  // reduce, not Math.max(...): hours of 1 Hz readings would overflow the argument list.
  const max = eligible.reduce((m, r) => Math.max(m, r.value), -Infinity)
  const over = eligible.filter((r) => r.value > limit)
  const first = over[0]
  const last = over.at(-1)
  if (first && last) {
    const count = over.length > 1 ? `; ${over.length} readings over the limit` : ''
    return {
      ...base,
      status: 'fail',
      measured: max,
      severity: 'major',
      message: `running current reached ${amps(max)}, above the limit ${amps(limit)} (${ratingText}); first over at ${c.at(first.ts)}${count}`,
      evidence: [range(first.ts, last.ts)],
    }
  }
  const from = eligible[0]?.ts ?? c.input.window.start
  const to = eligible.at(-1)?.ts ?? c.end
  return {
    ...base,
    status: 'pass',
    measured: max,
    message: `highest running current ${amps(max)} within the limit ${amps(limit)} (${ratingText}; first ${formatDuration(c.p.startupGraceS.value)} of each run ignored)`,
    evidence: [range(from, to)],
  }
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

function commissioningChecks(c: Context, run: Segment | undefined): CheckResult[] {
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
  if (c.p.airDeltaT) checks.push(airDeltaTCheck(c.p.airDeltaT, bc))
  if (c.p.superheat) checks.push(superheatCheck(c.p.superheat, c.input.refrigerant, bc))
  if (c.p.subcooling) checks.push(subcoolingCheck(c.p.subcooling, c.input.refrigerant, bc))
  return checks
}

export function evaluateTestRun(input: TestRunInput): StepResult {
  const running = input.window.stop === undefined
  const end = input.window.stop ?? input.now
  const readings = channelReadings(input.readings, CHANNEL, input.window.start, end)
  const c: Context = {
    input,
    p: input.params,
    running,
    end,
    tl: buildTimeline(readings, input.params),
    at: (ts) => formatDuration(seconds(ts - input.window.start)),
  }
  const checks = [durationCheck(c), currentCheck(c), liveCheck(c), ...commissioningChecks(c, longestSegment(c.tl.segments))]
  return { id: 'test_run', status: stepStatusFromChecks(checks, running), checks }
}
