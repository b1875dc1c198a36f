/**
 * Payload schemas of the device API. One schema per message; the ingest parses with
 * these and docs/protocol.md and the OpenAPI document describe the same shapes.
 */
import { z } from 'zod'

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
  })
  .catchall(z.union([z.string().max(1000), z.number(), z.boolean()]))
export type Attributes = z.infer<typeof AttributesSchema>

/** The gateway's answer on the device's error topic. */
export interface DeviceErrorMessage {
  status: 'error'
  error: { code: string; message: string; details: string[] }
  quarantineId: number
  topic: string
  receivedAt: number
}

/**
 * The gateway's notice that readings were re-sent for a stored device time with another
 * value: they were stored (beside the first value, flagged for review), so the message was
 * acknowledged; this only tells the device. At most one per device per 10 s, with a count.
 */
export interface DeviceConflictNotice {
  status: 'warning'
  error: { code: 'GW_ERR_CONFLICT'; message: string; details: string[] }
  topic: string
  receivedAt: number
}
