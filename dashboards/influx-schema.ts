/**
 * The InfluxDB schema the gateway's forwarder writes (InfluxDB 1.x, InfluxQL, database
 * `hvac`, ms precision) as the dashboards see it: measurements, tags, typed fields and
 * retention policies are the contract's (contract/influx-schema.ts), the one definition the
 * gateway writes by. Every dashboard query is built from these names (dashboards/influxql.ts):
 * a misspelt field or tag is a compile error, and the tests run each query against a real
 * InfluxDB to prove the names are the ones written.
 */
import {
  DATABASE,
  IN_SERVICE_RETENTION_DEFAULT,
  MEASUREMENTS,
  quoteIdent,
  schemaStatements as contractSchemaStatements,
  type MeasurementName,
} from '../contract/influx-schema.js'

export {
  AGGREGATES,
  DATABASE,
  DOWNSAMPLED_FIELDS,
  MEASUREMENTS,
  quoteIdent,
  type Aggregate,
  type DownsampledField,
  type FieldOf,
  type FieldType,
  type MeasurementSpec,
  type Measurements,
  type ReadingField,
  type TagOf,
} from '../contract/influx-schema.js'

export type MeasurementKey = MeasurementName

export function tagsOf(m: MeasurementKey): readonly string[] {
  return MEASUREMENTS[m].tags
}

export function fieldsOf(m: MeasurementKey): readonly string[] {
  return Object.keys(MEASUREMENTS[m].fields)
}

/** `"evidence"."commissioning"`: every query names its retention policy explicitly (the datasource names the database). */
export function qualifiedName(m: MeasurementKey): string {
  const spec = MEASUREMENTS[m]
  return `${quoteIdent(spec.rp)}.${quoteIdent(spec.name)}`
}

/**
 * The statements that create the database layout, as the gateway's InfluxDB client does
 * (gateway/sinks/influx/influx-client.ts setup()): used by the deploy's init script, so the
 * gateway's user needs no admin rights, and by the tests.
 */
export function schemaStatements(inServiceDuration: string = IN_SERVICE_RETENTION_DEFAULT): string[] {
  return contractSchemaStatements(DATABASE, inServiceDuration)
}
