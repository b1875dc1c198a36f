/**
 * The shape shared by the test run's commissioning checks (air ΔT, superheat, subcooling):
 * pair two channels over the last minutes of the run once it has settled, turn each pair
 * into one value, average, and compare with a band from the pack. Pure.
 *
 * "The run" is the longest continuous run the duration check found (running current, no
 * gap over maxGapS): readings taken while the compressor was off say nothing about the
 * refrigerant circuit.
 */
import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import { formatDuration } from '../../format-duration.js'
import type { CheckResult, Evidence, Severity } from '../../result.js'
import type { BandCheckParams } from './params.js'
import { channelReadings, mean, median, pairNearest, span, type TestRunReadings } from './series.js'

export interface BandContext {
  readings: TestRunReadings
  /** No stop marker yet. */
  running: boolean
  /** Start marker and upper bound of the window (stop marker, or now while running), ms. */
  start: number
  end: number
  /** The longest continuous run, if the unit ran at all. */
  run?: { from: number; to: number }
  maxGapMs: number
  /** Offset from the start marker, for messages: "at 18:20". */
  at: (ts: number) => string
}

/** One pair's value, or why it has none (e.g. a pressure outside the saturation table). */
export type PairValue = { value: number } | { error: string }

export interface BandSpec {
  id: string
  /** Names the quantity at the start of messages: 'superheat'. */
  label: string
  /** Each reading of `primary` is paired with the nearest reading of `other`. */
  primary: ChannelName
  other: ChannelName
  params: BandCheckParams
  value: (primary: Reading, other: Reading) => PairValue
  average: 'mean' | 'median'
  /** What the value is, for messages: 'return − supply air'. */
  what: string
  /** Appended to every result message, e.g. the saturation data's source. */
  note?: string
  /** Outside the band when stopped: 'fail' (with severity), or 'warn' for a rule of thumb. */
  outside: { status: 'fail' | 'warn'; severity: Severity; advice?: string }
}

const seconds = (ms: number) => ms / 1000
/** 0.1 K: the resolution of pipe-clamp thermometers. Decided on the shown value, so the two never disagree. */
function tenth(v: number): number {
  const x = Math.round(v * 10) / 10
  return x === 0 ? 0 : x // no "-0.0 K"
}
const kelvin = (v: number) => `${v.toFixed(1)} K`

function withNote(message: string, spec: BandSpec): string {
  return spec.note ? `${message}; ${spec.note}` : message
}

/** The evaluation window: the last windowS of the run, not before settleS into it. Or why there is none. */
function evaluationWindow(spec: BandSpec, c: BandContext): { from: number; to: number } | string {
  const settleS = spec.params.settleS.value
  const settle = formatDuration(settleS)
  const run = c.run
  const ranS = run ? seconds(run.to - run.from) : 0
  if (run && ranS >= settleS) return { from: Math.max(run.from + settleS * 1000, run.to - spec.params.windowS.value * 1000), to: run.to }
  if (c.running) {
    return run
      ? `${spec.label}: settling, ${formatDuration(ranS)} of the ${settle} continuous run before it is evaluated`
      : `${spec.label}: waiting for the unit to run (evaluated after ${settle} of continuous running)`
  }
  return run
    ? `${spec.label} not evaluated: the longest continuous run was ${formatDuration(ranS)}; it is evaluated after ${settle}`
    : `${spec.label} not evaluated: the unit never ran between start and stop`
}

export function bandCheck(spec: BandSpec, c: BandContext): CheckResult {
  const base = { id: spec.id, unit: 'K' }
  const whole = { from: c.start, to: c.end }
  const windowEvidence = (w: { from: number; to: number }): Evidence[] => [
    { channel: spec.primary, ...w },
    { channel: spec.other, ...w },
  ]
  const missing = [spec.primary, spec.other].filter((ch) => channelReadings(c.readings, ch, c.start, c.end).length === 0)
  if (missing.length > 0) return { ...base, status: 'pending', message: `no ${missing.join(' or ')} readings`, evidence: windowEvidence(whole) }

  const w = evaluationWindow(spec, c)
  if (typeof w === 'string') return { ...base, status: 'pending', message: w, evidence: windowEvidence(whole) }
  const during = `from ${c.at(w.from)} to ${c.at(w.to)}`

  const pairs = pairNearest(channelReadings(c.readings, spec.primary, w.from, w.to), channelReadings(c.readings, spec.other, w.from, w.to), c.maxGapMs)
  if (pairs.length === 0) {
    const message = `no ${spec.primary} reading within ${formatDuration(seconds(c.maxGapMs))} of a ${spec.other} reading ${during}`
    return { ...base, status: 'pending', message, evidence: windowEvidence(w) }
  }
  const used: typeof pairs = []
  const values: number[] = []
  const errors: string[] = []
  for (const pair of pairs) {
    const v = spec.value(pair.a, pair.b)
    if ('error' in v) errors.push(v.error)
    else {
      used.push(pair)
      values.push(v.value)
    }
  }
  if (values.length === 0) {
    const message = `${spec.label} cannot be computed ${during}: ${errors[0] ?? 'no usable readings'}`
    return { ...base, status: 'pending', message: withNote(message, spec), evidence: windowEvidence(w) }
  }

  const evidence = [span(spec.primary, used.map((p) => p.a), w), span(spec.other, used.map((p) => p.b), w)]
  const measured = tenth(spec.average === 'mean' ? mean(values) : median(values))
  const { minK, maxK } = spec.params
  const band = `${minK.value}-${maxK.value} K`
  const left = errors.length > 0 ? `; ${errors.length} of ${pairs.length} readings left out: ${errors[0]}` : ''
  const how = `(${spec.what}, ${spec.average} of ${values.length} readings ${during}${left})`
  if (measured >= minK.value && measured <= maxK.value) {
    return { ...base, status: 'pass', measured, message: withNote(`${spec.label} ${kelvin(measured)} within ${band} ${how}`, spec), evidence }
  }
  const limit = measured < minK.value ? minK.value : maxK.value
  const side = measured < minK.value ? 'below' : 'above'
  if (spec.outside.status === 'fail' && c.running) {
    // Later readings can still bring it into the band: only a stopped run fails it.
    const message = `${spec.label} ${kelvin(measured)} so far, ${side} ${band} ${how}: decided when the test run stops`
    return { ...base, status: 'pending', measured, limit, message: withNote(message, spec), evidence }
  }
  const advice = spec.outside.advice ? `; ${spec.outside.advice}` : ''
  const message = withNote(`${spec.label} ${kelvin(measured)} ${side} ${band} ${how}${advice}`, spec)
  return { ...base, status: spec.outside.status, severity: spec.outside.severity, measured, limit, message, evidence }
}
