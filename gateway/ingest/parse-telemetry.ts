/**
 * Telemetry payload → readings in canonical units, plus the problems found. Pure: the
 * caller supplies receive time and limits. A bad value is reported and skipped; the
 * other values of the same message are still accepted. Work and problems are bounded:
 * a message with more samples than the limit is refused whole before any is looked at,
 * a sample with more values than the limit is refused, and problems go to a collector
 * that keeps only the first few.
 */
import { CHANNELS, isChannelName, type ChannelName } from '../../contract/channels.js'
import { SampleSchema, looksLikeSample, readSample, readValueWithUnit } from '../../contract/telemetry.js'
import type { SentValue } from '../../contract/reading.js'
import { convertToCanonical, unitRefusal } from '../../contract/units.js'
import { describeIssues, pathKey, PROBLEM_CODES, ProblemCollector, quote } from './problems.js'

export interface ParsedReading {
  channel: ChannelName
  ts: number
  /** In the channel's canonical unit. */
  value: number
  /** The value and unit as sent, only when a unit was given (a plain number is canonical already). */
  sent?: SentValue
}

export interface ParsedSample {
  seq?: number | undefined
  readings: ParsedReading[]
  /** Flat form: no device time was sent; the readings carry ctx.implicitTs (the ingest gives each such sample its own). */
  implicit?: true
}

export interface ParseContext {
  /** Device time given to readings that carry none (flat {"channel": value} messages). */
  implicitTs: number
  /** Accepted device-time range; outside it a sample is refused as a timestamp fault. */
  minTs: number
  maxTs: number
}

/** How much one message may hold (GW_MAX_SAMPLES_PER_MESSAGE, GW_MAX_VALUES_PER_SAMPLE). */
export interface MessageLimits {
  maxSamples: number
  maxValuesPerSample: number
}

/**
 * 10,000 samples: a day of 10 s buffered readings from one meter, far more than a 256 KiB packet
 * holds in a useful form. 64 values: every channel (docs/protocol.md) fits with room to spare.
 */
export const DEFAULT_MESSAGE_LIMITS: MessageLimits = { maxSamples: 10_000, maxValuesPerSample: 64 }

export interface ParseOptions {
  /** Where the value sat in the message, for problem messages. */
  where?: string
  /** Problems are added here (the ingest shares one collector across a bridge's devices). */
  problems?: ProblemCollector
  limits?: MessageLimits
}

export interface ParsedTelemetry {
  samples: ParsedSample[]
  problems: ProblemCollector
}

interface Out extends ParsedTelemetry {
  limits: MessageLimits
}

/** Parses the JSON of v1/devices/me/telemetry (or one device's entry of v1/gateway/telemetry). */
export function parseTelemetry(json: unknown, ctx: ParseContext, opts: ParseOptions = {}): ParsedTelemetry {
  const where = opts.where ?? 'payload'
  const out: Out = { samples: [], problems: opts.problems ?? new ProblemCollector(), limits: opts.limits ?? DEFAULT_MESSAGE_LIMITS }
  if (Array.isArray(json)) {
    if (json.length === 0) out.problems.add({ code: PROBLEM_CODES.shape, message: `${where}: empty array` })
    if (tooManySamples(json.length, out.limits, where, out.problems)) return { samples: out.samples, problems: out.problems }
    for (let i = 0; i < json.length; i++) parseItem(json[i], ctx, `${where}[${i}]`, out)
  } else {
    parseItem(json, ctx, where, out)
  }
  return { samples: out.samples, problems: out.problems }
}

/** Adds the problem and returns true when `count` samples exceed the limit (the message is then refused whole). */
export function tooManySamples(count: number, limits: MessageLimits, where: string, problems: ProblemCollector): boolean {
  if (count <= limits.maxSamples) return false
  problems.add({
    code: PROBLEM_CODES.tooLarge,
    message: `${where}: ${count} samples in one message; at most ${limits.maxSamples} are accepted (GW_MAX_SAMPLES_PER_MESSAGE): send them in several messages`,
  })
  return true
}

function parseItem(item: unknown, ctx: ParseContext, where: string, out: Out): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    out.problems.report(PROBLEM_CODES.shape, () => `${where}: expected an object, got ${describeType(item)}`)
    return
  }
  if (!looksLikeSample(item)) {
    // Flat form {"channel": value}: the message carries no device time.
    const before = out.samples.length
    pushSample(item as Record<string, unknown>, ctx.implicitTs, undefined, where, out)
    if (out.samples.length > before) out.samples[before]!.implicit = true
    return
  }
  // readSample decides (and hands back the values object as parsed from JSON, never a copy);
  // zod only words the problems that are kept.
  const sample = readSample(item)
  if (sample === undefined) {
    out.problems.report(PROBLEM_CODES.shape, () => describeSampleIssues(item, where))
    return
  }
  const { ts, seq, values } = sample
  if (ts < ctx.minTs || ts > ctx.maxTs) {
    const when = ts > ctx.maxTs ? 'in the future' : 'too old'
    out.problems.report(
      PROBLEM_CODES.timestamp,
      () => `${where}.ts: ${ts} (${isoOrRaw(ts)}) is ${when}; accepted ${isoOrRaw(ctx.minTs)} to ${isoOrRaw(ctx.maxTs)} (ms since epoch)`,
    )
    return
  }
  pushSample(values, ts, seq, `${where}.values`, out)
}

function pushSample(
  values: Record<string, unknown>,
  ts: number,
  seq: number | undefined,
  where: string,
  out: Out,
): void {
  const keys = Object.keys(values)
  if (keys.length > out.limits.maxValuesPerSample) {
    // Refused whole, before any value is looked at (and its seq is not claimed).
    out.problems.add({
      code: PROBLEM_CODES.tooLarge,
      message: `${where}: ${keys.length} values in one sample; at most ${out.limits.maxValuesPerSample} are accepted (GW_MAX_VALUES_PER_SAMPLE)`,
    })
    return
  }
  const readings: ParsedReading[] = []
  if (keys.length === 0) out.problems.add({ code: PROBLEM_CODES.shape, message: `${where}: no values` })
  for (const key of keys) {
    const reading = parseValue(key, values[key], ts, where, out)
    if (reading) readings.push(reading)
  }
  // A sample with a seq is kept even when all its values were bad: its seq is still claimed.
  if (readings.length > 0 || seq !== undefined) out.samples.push({ seq, readings })
}

/** `sample` is where the sample sat; the value's own path is only built for a problem. */
function parseValue(key: string, raw: unknown, ts: number, sample: string, out: Out): ParsedReading | undefined {
  if (!isChannelName(key)) {
    out.problems.report(PROBLEM_CODES.unknownChannel, () => `${sample}.${pathKey(key)}: unknown channel ${quote(key)} (see docs/protocol.md)`)
    return undefined
  }
  const spec = CHANNELS[key]
  let value: number
  let sent: SentValue | undefined
  if (typeof raw === 'number') {
    value = raw // hot path: a plain number is the schema's first form
  } else {
    // ValueSchema's object form, checked without zod (readValueWithUnit).
    const withUnit = readValueWithUnit(raw)
    if (withUnit === undefined) {
      out.problems.report(PROBLEM_CODES.badValue, () => `${sample}.${pathKey(key)}: expected a number or {"value": number, "unit": string}, got ${describeType(raw)}`)
      return undefined
    }
    const converted = convertToCanonical(spec.quantity, withUnit.value, withUnit.unit)
    if (converted === undefined) {
      out.problems.report(
        PROBLEM_CODES.unit,
        () => `${sample}.${pathKey(key)}: unit ${quote(withUnit.unit)} is not accepted for ${key}; ${unitRefusal(spec.quantity, withUnit.unit)}`,
      )
      return undefined
    }
    value = converted
    // Verbatim (the unit as spelled, not folded): the evidence is what the device said.
    sent = { value: withUnit.value, unit: withUnit.unit }
  }
  if (!Number.isFinite(value)) {
    out.problems.report(PROBLEM_CODES.badValue, () => `${sample}.${pathKey(key)}: ${value} is not a finite number`)
    return undefined
  }
  if (value < spec.min || value > spec.max) {
    out.problems.report(
      PROBLEM_CODES.outOfRange,
      () => `${sample}.${pathKey(key)}: ${value} ${spec.unit} is outside the plausible range ${spec.min} to ${spec.max} ${spec.unit}`,
    )
    return undefined
  }
  return sent === undefined ? { channel: key, ts, value } : { channel: key, ts, value, sent }
}

/** Why readSample refused it, in zod's words (only for problems that are kept). */
function describeSampleIssues(item: object, where: string): string {
  const parsed = SampleSchema.safeParse(item)
  if (!parsed.success) return describeIssues(where, parsed.error.issues)
  // What zod lets through and readSample does not: a "__proto__" key, which zod drops.
  return `${where}: a sample has only the keys ts, seq and values`
}

function describeType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${quote(v)}`
  return typeof v
}

function isoOrRaw(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
}
