/**
 * The InfluxDB layout the forwarder writes (InfluxDB 1.x InfluxQL names; ms precision).
 * docs/influx-schema.md explains each choice; the dashboards query exactly these names.
 */
import { escape } from 'influx'
import { CHANNEL_NAMES } from '../../contract/channels.js'

export type RetentionPolicyName = 'evidence' | 'in_service' | 'long_term'

export interface RetentionPolicySpec {
  name: RetentionPolicyName
  /** InfluxQL duration; in_service's comes from GW_INFLUX_RETENTION. */
  duration: string
  isDefault: boolean
}

export function retentionPolicies(inServiceDuration: string): RetentionPolicySpec[] {
  return [
    // Commissioning evidence settles disputes: never expires.
    { name: 'evidence', duration: 'INF', isDefault: false },
    // Raw telemetry of units in service; the default RP, so a write without rp lands here.
    { name: 'in_service', duration: inServiceDuration, isDefault: true },
    // Hourly roll-up of in-service telemetry: outlives the raw data.
    { name: 'long_term', duration: 'INF', isDefault: false },
  ]
}

/** Where each measurement lives. */
export const MEASUREMENTS = {
  commissioning: { rp: 'evidence', tags: ['job_id', 'device_id'] },
  telemetry: { rp: 'in_service', tags: ['device_id'] },
  telemetry_1h: { rp: 'long_term', tags: ['device_id'] },
  verdict: { rp: 'evidence', tags: ['job_id', 'installer_id', 'rule_pack', 'status'] },
  check_result: { rp: 'evidence', tags: ['job_id', 'installer_id', 'step', 'check', 'clause', 'status', 'severity'] },
} as const satisfies Record<string, { rp: RetentionPolicyName; tags: readonly string[] }>

export type MeasurementName = keyof typeof MEASUREMENTS

/** Field of a reading point beside the channels: receivedAt - ts in seconds (back-filled evidence shows). */
export const LAG_FIELD = 'lag_s'

export const AGGREGATES = ['mean', 'min', 'max'] as const
export const CONTINUOUS_QUERY = 'telemetry_1h'
/**
 * The continuous query recomputes the last two hours every hour, so telemetry up to an hour
 * late is in the roll-up; the forwarder recomputes the hours of anything later itself.
 */
export const RESAMPLE = 'RESAMPLE EVERY 1h FOR 2h'
export const RESAMPLE_COVERS_MS = 3600_000

/** `<channel>_mean`, `<channel>_min`, `<channel>_max` for every channel, in that order. */
export const DOWNSAMPLED_FIELDS: readonly string[] = CHANNEL_NAMES.flatMap((ch) => AGGREGATES.map((agg) => `${ch}_${agg}`))

export const ident = (name: string): string => escape.quoted(name)
export const literal = (value: string): string => escape.stringLit(value)

/** `"db"."rp"."measurement"` */
export function qualified(database: string, m: MeasurementName): string {
  return `${ident(database)}.${ident(MEASUREMENTS[m].rp)}.${ident(m)}`
}

/** The hourly roll-up: the continuous query's body, and (with a WHERE) the forwarder's recomputation of late hours. */
export function downsampleSelect(database: string, where?: string): string {
  const cols = CHANNEL_NAMES.flatMap((ch) => AGGREGATES.map((agg) => `${agg}(${ident(ch)}) AS ${ident(`${ch}_${agg}`)}`))
  return (
    `SELECT ${cols.join(', ')} INTO ${qualified(database, 'telemetry_1h')} FROM ${qualified(database, 'telemetry')}` +
    `${where ? ` WHERE ${where}` : ''} GROUP BY time(1h), ${ident('device_id')} fill(none)`
  )
}

export function continuousQueryStatement(database: string): string {
  return `CREATE CONTINUOUS QUERY ${ident(CONTINUOUS_QUERY)} ON ${ident(database)} ${RESAMPLE} BEGIN ${downsampleSelect(database)} END`
}

/** `time >= 1700000000000ms AND time <= ...` (inclusive, ms). */
export function timeRange(from: number, to: number, toExclusive = false): string {
  return `time >= ${Math.trunc(from)}ms AND time ${toExclusive ? '<' : '<='} ${Math.trunc(to)}ms`
}

/** `("device_id" = 'a' OR "device_id" = 'b')` */
export function tagIn(tag: string, values: readonly string[]): string {
  return `(${values.map((v) => `${ident(tag)} = ${literal(v)}`).join(' OR ')})`
}
