/**
 * The InfluxDB schema the gateway writes (InfluxDB 1.x InfluxQL names; ms precision): retention
 * policies, measurements with their tags and typed fields, the hourly roll-up and its continuous
 * query. One definition: the gateway's writer (gateway/store/influx-*.ts) and the dashboards
 * (dashboards/) both read it here. docs/influx-schema.md explains each choice.
 *
 * InfluxQL quoting lives here too (a few lines, no client library on the ground floor):
 * https://docs.influxdata.com/influxdb/v1/query_language/spec/#identifiers and #strings.
 */
import { z } from 'zod'
import { CHANNEL_NAMES, type ChannelName } from './channels.js'

/** The database the gateway writes by default (GW_INFLUX_DB) and the dashboards query. */
export const DATABASE = 'hvac'

export const RETENTION_POLICY_NAMES = ['evidence', 'in_service', 'long_term'] as const
export type RetentionPolicyName = (typeof RETENTION_POLICY_NAMES)[number]

/** An InfluxQL retention duration: INF, or e.g. 400d, 52w, 1w3d12h. */
export const RetentionDurationSchema = z
  .string()
  .regex(/^(INF|(\d+[hdw])+)$/, 'must be INF or an InfluxQL duration such as 400d or 52w')

/** The in_service duration when GW_INFLUX_RETENTION is unset: a little over a year of raw telemetry. */
export const IN_SERVICE_RETENTION_DEFAULT = '400d'

export interface RetentionPolicySpec {
  name: RetentionPolicyName
  /** InfluxQL duration; in_service's comes from GW_INFLUX_RETENTION. */
  duration: string
  isDefault: boolean
}

export function retentionPolicies(inServiceDuration: string = IN_SERVICE_RETENTION_DEFAULT): RetentionPolicySpec[] {
  return [
    // Commissioning evidence settles disputes: never expires.
    { name: 'evidence', duration: 'INF', isDefault: false },
    // Raw telemetry of units in service; the default RP, so a write without rp lands here.
    { name: 'in_service', duration: inServiceDuration, isDefault: true },
    // Hourly roll-up of in-service telemetry: outlives the raw data.
    { name: 'long_term', duration: 'INF', isDefault: false },
  ]
}

/** Field value types as written: InfluxDB refuses a point whose field type changes. */
export const FieldTypeSchema = z.enum(['float', 'integer', 'string'])
export type FieldType = z.infer<typeof FieldTypeSchema>

/** Field of a reading point beside the channels: receivedAt - ts in seconds (back-filled evidence shows). */
export const LAG_FIELD = 'lag_s'
export type ReadingField = ChannelName | typeof LAG_FIELD

export const AGGREGATES = ['mean', 'min', 'max'] as const
export type Aggregate = (typeof AGGREGATES)[number]
export type DownsampledField = `${ChannelName}_${Aggregate}`

/** `<channel>_mean`, `<channel>_min`, `<channel>_max` for every channel, in that order. */
export const DOWNSAMPLED_FIELDS: readonly DownsampledField[] = CHANNEL_NAMES.flatMap((ch) =>
  AGGREGATES.map((agg): DownsampledField => `${ch}_${agg}`),
)

const READING_FIELDS: readonly ReadingField[] = [...CHANNEL_NAMES, LAG_FIELD]

export interface MeasurementSpec<N extends string = string, T extends string = string, F extends string = string> {
  name: N
  rp: RetentionPolicyName
  tags: readonly T[]
  fields: Readonly<Record<F, FieldType>>
}

function measurement<const N extends string, const T extends string, F extends string>(
  name: N,
  rp: RetentionPolicyName,
  tags: readonly T[],
  fields: Record<F, FieldType>,
): MeasurementSpec<N, T, F> {
  return { name, rp, tags, fields }
}

function floats<F extends string>(names: readonly F[]): Record<F, FieldType> {
  const out = {} as Record<F, FieldType>
  for (const n of names) out[n] = 'float'
  return out
}

/** Where each measurement lives, its tags, and its fields with their types. */
export const MEASUREMENTS = {
  commissioning: measurement('commissioning', 'evidence', ['job_id', 'device_id'], floats(READING_FIELDS)),
  telemetry: measurement('telemetry', 'in_service', ['device_id'], floats(READING_FIELDS)),
  /** Written by the hourly continuous query from in_service.telemetry (and the forwarder's recomputation). */
  telemetry_1h: measurement('telemetry_1h', 'long_term', ['device_id'], floats(DOWNSAMPLED_FIELDS)),
  verdict: measurement('verdict', 'evidence', ['job_id', 'installer_id', 'rule_pack', 'status'], { value: 'integer', failed_checks: 'integer' }),
  check_result: measurement('check_result', 'evidence', ['job_id', 'installer_id', 'step', 'check', 'clause', 'status', 'severity'], {
    measured: 'float',
    value: 'integer',
  }),
  /**
   * One point per change of a fault alert of a unit in service (issue 11), at the change's
   * time: tag `state` is the state it changed to, `active` 1 until it is cleared. The alert id
   * is a field (a tag would be one more series per alert, forever); the fleet dashboard's
   * current state is the latest point per (device_id, fault).
   */
  alert: measurement('alert', 'in_service', ['device_id', 'fault', 'severity', 'state', 'team'], {
    alert_id: 'string',
    active: 'integer',
    count: 'integer',
    fault_count: 'integer',
    value: 'float',
    raised_at: 'integer',
  }),
} as const

/** Values of the `alert` measurement's `state` tag (the gateway's alert states, gateway/alerts/alert-lifecycle.ts). */
export const ALERT_STATES = ['active', 'acknowledged', 'cleared'] as const
export type AlertStateTag = (typeof ALERT_STATES)[number]

export type Measurements = typeof MEASUREMENTS
export type MeasurementName = keyof Measurements
export type TagOf<M extends MeasurementName> = Measurements[M]['tags'][number]
export type FieldOf<M extends MeasurementName> = keyof Measurements[M]['fields'] & string

export const CONTINUOUS_QUERY = 'telemetry_1h'
/**
 * The continuous query recomputes the last two hours every hour, so telemetry up to an hour
 * late is in the roll-up; the forwarder recomputes the hours of anything later itself.
 */
export const RESAMPLE = 'RESAMPLE EVERY 1h FOR 2h'
export const RESAMPLE_COVERS_MS = 3600_000

/** InfluxQL double-quoted identifier: `\` and `"` escaped. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** InfluxQL single-quoted string literal: `\` and `'` escaped (influxd refuses other backslash escapes). */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** `"db"."rp"."measurement"` */
export function qualified(database: string, m: MeasurementName): string {
  return `${quoteIdent(database)}.${quoteIdent(MEASUREMENTS[m].rp)}.${quoteIdent(m)}`
}

/** The hourly roll-up: the continuous query's body, and (with a WHERE) the forwarder's recomputation of late hours. */
export function downsampleSelect(database: string, where?: string): string {
  const cols = CHANNEL_NAMES.flatMap((ch) => AGGREGATES.map((agg) => `${agg}(${quoteIdent(ch)}) AS ${quoteIdent(`${ch}_${agg}`)}`))
  return (
    `SELECT ${cols.join(', ')} INTO ${qualified(database, 'telemetry_1h')} FROM ${qualified(database, 'telemetry')}` +
    `${where ? ` WHERE ${where}` : ''} GROUP BY time(1h), ${quoteIdent('device_id')} fill(none)`
  )
}

export function continuousQueryStatement(database: string): string {
  return `CREATE CONTINUOUS QUERY ${quoteIdent(CONTINUOUS_QUERY)} ON ${quoteIdent(database)} ${RESAMPLE} BEGIN ${downsampleSelect(database)} END`
}

export function retentionPolicyStatement(database: string, rp: RetentionPolicySpec): string {
  return `CREATE RETENTION POLICY ${quoteIdent(rp.name)} ON ${quoteIdent(database)} DURATION ${rp.duration} REPLICATION 1${rp.isDefault ? ' DEFAULT' : ''}`
}

/** Every statement that creates the layout from nothing: database, retention policies, continuous query. */
export function schemaStatements(database: string, inServiceDuration: string = IN_SERVICE_RETENTION_DEFAULT): string[] {
  const out = [`CREATE DATABASE ${quoteIdent(database)}`]
  for (const rp of retentionPolicies(inServiceDuration)) out.push(retentionPolicyStatement(database, rp))
  out.push(continuousQueryStatement(database))
  return out
}
