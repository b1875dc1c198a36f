/**
 * Grafana's InfluxDB (InfluxQL) query as a foundation-SDK query type. The SDK ships no
 * InfluxDB query type, so this follows its documented custom-query pattern: a Dataquery
 * variant and a builder. Queries are raw InfluxQL built by influxql.ts.
 */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog'
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common'
import type { MeasurementKey } from './influx-schema.js'
import type { Query } from './influxql.js'
import { DATASOURCE_REF } from './provisioning-paths.js'

export interface InfluxQLQuery extends Dataquery {
  refId?: string
  hide?: boolean
  datasource: DataSourceRef
  query: string
  rawQuery: true
  resultFormat: 'time_series' | 'table'
  /** Series name pattern, e.g. `$tag_device_id $col`. */
  alias?: string
}

export class InfluxQLTarget implements Builder<Dataquery> {
  private readonly internal: InfluxQLQuery

  constructor(query: Query<MeasurementKey, string> | string) {
    this.internal = {
      datasource: { ...DATASOURCE_REF },
      query: query.toString(),
      rawQuery: true,
      resultFormat: 'time_series',
      _implementsDataqueryVariant() {},
    }
  }

  build(): InfluxQLQuery {
    return this.internal
  }

  refId(refId: string): this {
    this.internal.refId = refId
    return this
  }

  alias(alias: string): this {
    this.internal.alias = alias
    return this
  }

  table(): this {
    this.internal.resultFormat = 'table'
    return this
  }
}

/** A target for `query`, e.g. `target(q).alias('$tag_device_id')`. */
export function target(query: Query<MeasurementKey, string>): InfluxQLTarget {
  return new InfluxQLTarget(query)
}
