/**
 * The InfluxDB layout the forwarder writes is the contract's (contract/influx-schema.ts, shared with
 * the dashboards); this adds the gateway's own query pieces. docs/influx-schema.md explains each choice.
 */
import { quoteIdent, quoteString } from '../../../contract/influx-schema.js'

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
