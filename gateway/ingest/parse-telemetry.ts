/**
 * Telemetry payload → readings in canonical units, plus the problems found. Pure: the
 * caller supplies receive time and limits. A bad value is reported and skipped; the
 * other values of the same message are still accepted.
 */
import { CHANNELS, isChannelName, type ChannelName } from '../contract/channels.js'
import { SampleSchema, ValueSchema, looksLikeSample } from '../contract/telemetry.js'
import { convertToCanonical, unitRefusal } from '../contract/units.js'
import { describeIssues, PROBLEM_CODES, type Problem } from './problems.js'

export interface ParsedReading {
  channel: ChannelName
  ts: number
  value: number
}

export interface ParsedSample {
  seq?: number | undefined
  readings: ParsedReading[]
}

export interface ParseContext {
  /** Device time given to readings that carry none (flat {"channel": value} messages). */
  implicitTs: number
  /** Accepted device-time range; outside it a sample is refused as a timestamp fault. */
  minTs: number
  maxTs: number
}

export interface ParsedTelemetry {
  samples: ParsedSample[]
  problems: Problem[]
}

/** Parses the JSON of v1/devices/me/telemetry (or one device's entry of v1/gateway/telemetry). */
export function parseTelemetry(json: unknown, ctx: ParseContext, where = 'payload'): ParsedTelemetry {
  const out: ParsedTelemetry = { samples: [], problems: [] }
  if (Array.isArray(json)) {
    if (json.length === 0) out.problems.push({ code: PROBLEM_CODES.shape, message: `${where}: empty array` })
    json.forEach((item, i) => parseItem(item, ctx, `${where}[${i}]`, out))
  } else {
    parseItem(json, ctx, where, out)
  }
  return out
}

function parseItem(item: unknown, ctx: ParseContext, where: string, out: ParsedTelemetry): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    out.problems.push({ code: PROBLEM_CODES.shape, message: `${where}: expected an object, got ${describeType(item)}` })
    return
  }
  if (!looksLikeSample(item)) {
    // Flat form {"channel": value}: the message carries no device time.
    pushSample(item as Record<string, unknown>, ctx.implicitTs, undefined, where, out)
    return
  }
  const parsed = SampleSchema.safeParse(item)
  if (!parsed.success) {
    out.problems.push({ code: PROBLEM_CODES.shape, message: describeIssues(where, parsed.error.issues) })
    return
  }
  const { ts, seq, values } = parsed.data
  if (ts < ctx.minTs || ts > ctx.maxTs) {
    const when = ts > ctx.maxTs ? 'in the future' : 'too old'
    out.problems.push({
      code: PROBLEM_CODES.timestamp,
      message: `${where}.ts: ${ts} (${isoOrRaw(ts)}) is ${when}; accepted ${isoOrRaw(ctx.minTs)} to ${isoOrRaw(ctx.maxTs)} (ms since epoch)`,
    })
    return
  }
  pushSample(values, ts, seq, `${where}.values`, out)
}

function pushSample(
  values: Record<string, unknown>,
  ts: number,
  seq: number | undefined,
  where: string,
  out: ParsedTelemetry,
): void {
  const readings: ParsedReading[] = []
  const keys = Object.keys(values)
  if (keys.length === 0) out.problems.push({ code: PROBLEM_CODES.shape, message: `${where}: no values` })
  for (const key of keys) {
    const reading = parseValue(key, values[key], ts, `${where}.${key}`, out)
    if (reading) readings.push(reading)
  }
  // A sample with a seq is kept even when all its values were bad: its seq is still claimed.
  if (readings.length > 0 || seq !== undefined) out.samples.push({ seq, readings })
}

function parseValue(key: string, raw: unknown, ts: number, where: string, out: ParsedTelemetry): ParsedReading | undefined {
  if (!isChannelName(key)) {
    out.problems.push({ code: PROBLEM_CODES.unknownChannel, message: `${where}: unknown channel "${key}" (see docs/protocol.md)` })
    return undefined
  }
  const spec = CHANNELS[key]
  let value: number
  if (typeof raw === 'number') {
    value = raw // hot path: a plain number is the schema's first form
  } else {
    const parsed = ValueSchema.safeParse(raw)
    if (!parsed.success || typeof parsed.data === 'number') {
      out.problems.push({
        code: PROBLEM_CODES.badValue,
        message: `${where}: expected a number or {"value": number, "unit": string}, got ${describeType(raw)}`,
      })
      return undefined
    }
    const converted = convertToCanonical(spec.quantity, parsed.data.value, parsed.data.unit)
    if (converted === undefined) {
      out.problems.push({
        code: PROBLEM_CODES.unit,
        message: `${where}: unit "${parsed.data.unit}" is not accepted for ${key}; ${unitRefusal(spec.quantity, parsed.data.unit)}`,
      })
      return undefined
    }
    value = converted
  }
  if (!Number.isFinite(value)) {
    out.problems.push({ code: PROBLEM_CODES.badValue, message: `${where}: ${value} is not a finite number` })
    return undefined
  }
  if (value < spec.min || value > spec.max) {
    out.problems.push({
      code: PROBLEM_CODES.outOfRange,
      message: `${where}: ${value} ${spec.unit} is outside the plausible range ${spec.min} to ${spec.max} ${spec.unit}`,
    })
    return undefined
  }
  return { channel: key, ts, value }
}

function describeType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  return typeof v
}

function isoOrRaw(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
}
