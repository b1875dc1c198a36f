/**
 * Payload schemas of the device API. One schema per message; the ingest parses with
 * these and docs/protocol.md and the OpenAPI document describe the same shapes.
 */
import { z } from 'zod'
import { INGEST_PROBLEMS, type DeviceNoticeCode, type IngestProblemCode } from './errors.js'

/** A value: a number in the channel's canonical unit, or a number with its unit. */
export const ValueSchema = z.union([
  z.number(),
  z.object({ value: z.number(), unit: z.string().min(1).max(16) }).strict(),
])
export type Value = z.infer<typeof ValueSchema>

/** A timestamped sample: {"ts": ms, "seq"?: n, "values": {...}}. */
export const SampleSchema = z
  .object({
    ts: z.number().int().describe('Device time, milliseconds since the Unix epoch'),
    seq: z.number().int().nonnegative().optional().describe('Per-device message counter; a repeated seq is a duplicate'),
    values: z.record(z.string(), z.unknown()),
  })
  .strict()
export type Sample = z.infer<typeof SampleSchema>

/** A sample without device time: {"channel": value, ...}; the gateway gives it the time it received it. */
export const FlatSampleSchema = z
  .record(z.string(), ValueSchema)
  .refine((o) => !looksLikeSample(o), 'an object with "ts" or "values" is a timestamped sample and must be a whole one')

/** v1/devices/me/telemetry: one sample (timestamped or flat), or a non-empty array of them (buffered data). */
export const TelemetryPayloadSchema = z.union([SampleSchema, FlatSampleSchema, z.array(z.union([SampleSchema, FlatSampleSchema])).min(1)])

/**
 * SampleSchema's check without zod, for the ingest's hot path and for poison messages: zod
 * builds an error object per failure (10,000 bad samples took ~50 ms), so the ingest uses
 * zod only to word the problems it keeps. Returns the sample when SampleSchema accepts it,
 * else undefined (a test keeps the two in agreement). A "__proto__" key is refused here,
 * where zod would drop it without a word.
 */
export function readSample(item: object): { ts: number; seq: number | undefined; values: Record<string, unknown> } | undefined {
  for (const key in item) if (Object.hasOwn(item, key) && key !== 'ts' && key !== 'seq' && key !== 'values') return undefined
  if (Object.hasOwn(item, '__proto__')) return undefined
  const o = item as Record<string, unknown>
  const { ts, seq, values } = o
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) return undefined
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) return undefined
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return undefined
  const proto: unknown = Object.getPrototypeOf(values)
  if (proto !== Object.prototype && proto !== null) return undefined
  return { ts, seq: seq as number | undefined, values: values as Record<string, unknown> }
}

/** The {"value", "unit"} form of ValueSchema, checked without zod (same reason as readSample). */
export function readValueWithUnit(raw: unknown): { value: number; unit: string } | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined
  for (const key in raw) if (Object.hasOwn(raw, key) && key !== 'value' && key !== 'unit') return undefined
  if (Object.hasOwn(raw, '__proto__')) return undefined
  const { value, unit } = raw as Record<string, unknown>
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  if (typeof unit !== 'string' || unit.length < 1 || !atMostCodePoints(unit, 16)) return undefined
  return { value, unit }
}

/** zod's string max() counts code points, not UTF-16 units. */
function atMostCodePoints(s: string, max: number): boolean {
  if (s.length <= max) return true
  if (s.length > 2 * max) return false
  let n = 0
  for (const _ of s) if (++n > max) return false
  return true
}

/** An object with "ts" or "values" is meant as a timestamped sample (and must then be a whole one); otherwise it is a flat {"channel": value} map. */
export function looksLikeSample(obj: object): boolean {
  return Object.hasOwn(obj, 'values') || Object.hasOwn(obj, 'ts')
}

/** v1/devices/me/attributes: device facts. calibrationDue decides whether a meter's readings count. */
export const AttributesSchema = z
  .object({
    model: z.string().max(100).optional(),
    serial: z.string().max(100).optional(),
    firmware: z.string().max(100).optional(),
    calibrationDue: z.iso.date().optional().describe('Calibration due date, YYYY-MM-DD'),
    errorCodes: z
      .array(z.string().regex(/^[A-Z0-9]{1,4}$/, 'an error code as the unit displays it, e.g. "E1"'))
      .max(32)
      .optional()
      .describe('A unit in service: the error codes it shows now ([] = none); mapped to faults by its pack (issue 11)'),
  })
  .catchall(z.union([z.string().max(1000), z.number(), z.boolean()]))
export type Attributes = z.infer<typeof AttributesSchema>

/** The gateway's answer on the device's error topic: why (part of) a message was refused. */
export const DeviceErrorMessageSchema = z.object({
  status: z.literal('error'),
  error: z.object({ code: z.enum(Object.keys(INGEST_PROBLEMS) as [IngestProblemCode, ...IngestProblemCode[]]), message: z.string(), details: z.array(z.string()) }),
  quarantineId: z.number().int(),
  topic: z.string(),
  receivedAt: z.number(),
})
export type DeviceErrorMessage = z.infer<typeof DeviceErrorMessageSchema>

/**
 * The gateway's notice that readings were re-sent for a stored device time with another
 * value: they were stored (beside the first value, flagged for review), so the message was
 * acknowledged; this only tells the device. At most one per device per 10 s, with a count.
 */
export const DeviceConflictNoticeSchema = z.object({
  status: z.literal('warning'),
  error: z.object({ code: z.literal('GW_ERR_CONFLICT' satisfies DeviceNoticeCode), message: z.string(), details: z.array(z.string()) }),
  topic: z.string(),
  receivedAt: z.number(),
})
export type DeviceConflictNotice = z.infer<typeof DeviceConflictNoticeSchema>

/** The broker's notice to a device over its publish rate: acknowledgements are delayed, nothing is dropped. */
export const RateLimitNoticeSchema = z.object({
  status: z.literal('error'),
  error: z.object({ code: z.literal('GW_ERR_RATE_LIMITED' satisfies DeviceNoticeCode), message: z.string(), details: z.array(z.string()) }),
  limit: z.object({ messagesPerSecond: z.number(), burst: z.number() }),
  receivedAt: z.number(),
})
export type RateLimitNotice = z.infer<typeof RateLimitNoticeSchema>
