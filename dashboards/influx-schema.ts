/**
 * The InfluxDB schema the gateway's forwarder writes (InfluxDB 1.x, InfluxQL, database
 * `hvac`, ms precision) as the dashboards see it: retention policies and tags come from
 * the forwarder's own module (gateway/store/influx-schema.ts), fields from the channel
 * contract, so there is one list. Every dashboard query is built from these names
 * (dashboards/influxql.ts): a misspelt field or tag is a compile error, and the tests run
 * each query against a real InfluxDB to prove the names are the ones written.
 */
import { CHANNEL_NAMES, type ChannelName } from '../contract/channels.js'
import {
  AGGREGATES,
  continuousQueryStatement,
  LAG_FIELD,
  MEASUREMENTS as WRITTEN,
  retentionPolicies,
  type RetentionPolicyName,
} from '../gateway/store/influx-schema.js'

export { AGGREGATES }
export const DATABASE = 'hvac'

export type Aggregate = (typeof AGGREGATES)[number]
export type ReadingField = ChannelName | typeof LAG_FIELD
export type DownsampledField = `${ChannelName}_${Aggregate}`

/** Field value types as written: InfluxDB refuses a point whose field type changes. */
export type FieldType = 'float' | 'integer'

/** Tags and retention policy as the forwarder writes them (gateway/store/influx-schema.ts), plus the fields. */
export interface MeasurementSpec<T extends string, F extends string> {
  rp: RetentionPolicyName
  name: string
  tags: readonly T[]
  fields: Readonly<Record<F, FieldType>>
}

type WrittenTag<M extends keyof typeof WRITTEN> = (typeof WRITTEN)[M]['tags'][number]

function floats<F extends string>(names: readonly F[]): Record<F, FieldType> {
  return Object.fromEntries(names.map((n) => [n, 'float'])) as Record<F, FieldType>
}

function spec<M extends keyof typeof WRITTEN, F extends string>(name: M, fields: Record<F, FieldType>): MeasurementSpec<WrittenTag<M>, F> {
  return { rp: WRITTEN[name].rp, name, tags: WRITTEN[name].tags, fields }
}

const READING_FIELDS: readonly ReadingField[] = [...CHANNEL_NAMES, LAG_FIELD]

export const DOWNSAMPLED_FIELDS: readonly DownsampledField[] = CHANNEL_NAMES.flatMap((ch) =>
  AGGREGATES.map((agg): DownsampledField => `${ch}_${agg}`),
)

export const MEASUREMENTS = {
  commissioning: spec('commissioning', floats(READING_FIELDS)),
  telemetry: spec('telemetry', floats(READING_FIELDS)),
  /** Written by the hourly continuous query from in_service.telemetry. */
  telemetry_1h: spec('telemetry_1h', floats(DOWNSAMPLED_FIELDS)),
  verdict: spec('verdict', { value: 'integer', failed_checks: 'integer' }),
  check_result: spec('check_result', { measured: 'float', value: 'integer' }),
} as const

export type Measurements = typeof MEASUREMENTS
export type MeasurementKey = keyof Measurements
export type TagOf<M extends MeasurementKey> = Measurements[M]['tags'][number]
export type FieldOf<M extends MeasurementKey> = keyof Measurements[M]['fields'] & string

export function tagsOf(m: MeasurementKey): readonly string[] {
  return MEASUREMENTS[m].tags
}

export function fieldsOf(m: MeasurementKey): readonly string[] {
  return Object.keys(MEASUREMENTS[m].fields)
}

/** `"evidence"."commissioning"`: every query names its retention policy explicitly. */
export function qualifiedName(m: MeasurementKey): string {
  const spec = MEASUREMENTS[m]
  return `${quoteIdent(spec.rp)}.${quoteIdent(spec.name)}`
}

/** InfluxQL double-quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * The statements that create the database layout, as the gateway's InfluxDB client would
 * (gateway/store/influx-client.ts setup()): used by the deploy's init script, so the
 * gateway's user needs no admin rights, and by the tests.
 */
export function schemaStatements(inServiceDuration: string): string[] {
  const db = quoteIdent(DATABASE)
  const out = [`CREATE DATABASE ${db}`]
  for (const rp of retentionPolicies(inServiceDuration)) {
    out.push(`CREATE RETENTION POLICY ${quoteIdent(rp.name)} ON ${db} DURATION ${rp.duration} REPLICATION 1${rp.isDefault ? ' DEFAULT' : ''}`)
  }
  out.push(continuousQueryStatement(DATABASE))
  return out
}
