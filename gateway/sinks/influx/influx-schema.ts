/**
 * The InfluxDB layout the forwarder writes is the contract's (contract/influx-schema.ts, shared with
 * the dashboards); this adds the gateway's own query pieces. docs/influx-schema.md explains each choice.
 */
import { quoteIdent, quoteString, type MeasurementName } from '../../../contract/influx-schema.js'

export {
  AGGREGATES,
  CONTINUOUS_QUERY,
  DOWNSAMPLED_FIELDS,
  LAG_FIELD,
  MEASUREMENTS,
  RESAMPLE,
  RESAMPLE_COVERS_MS,
  continuousQueryStatement,
  downsampleSelect,
  qualified,
  retentionPolicies,
  retentionPolicyStatement,
  type MeasurementName,
  type RetentionPolicyName,
  type RetentionPolicySpec,
} from '../../../contract/influx-schema.js'

/**
 * Write precision per measurement. Alert points are written in µs: time = the change's ms
 * plus its audit sequence number mod 1000 in µs, so two changes of one alert in the same
 * millisecond (acknowledged and assigned at once) stay two points, in trail order, instead of
 * the second overwriting the first (a point is measurement + tags + time).
 */
export function writePrecision(m: MeasurementName): 'ms' | 'u' {
  return m === 'alert' ? 'u' : 'ms'
}

export const ident = quoteIdent
export const literal = quoteString

/** `time >= 1700000000000ms AND time <= ...` (inclusive, ms). */
export function timeRange(from: number, to: number, toExclusive = false): string {
  return `time >= ${Math.trunc(from)}ms AND time ${toExclusive ? '<' : '<='} ${Math.trunc(to)}ms`
}

/** `("device_id" = 'a' OR "device_id" = 'b')` */
export function tagIn(tag: string, values: readonly string[]): string {
  return `(${values.map((v) => `${ident(tag)} = ${literal(v)}`).join(' OR ')})`
}
