/**
 * Writes points in the fixed schema with node-influx. Its schemas are built from
 * dashboards/influx-schema.ts, so node-influx itself refuses a field or tag the schema does
 * not have, and integer fields go out as integers (`value=1i`) as the forwarder writes them.
 */
import { FieldType, InfluxDB, type IPoint } from 'influx'
import { DATABASE, MEASUREMENTS, type FieldOf, type MeasurementKey, type TagOf } from '../../dashboards/influx-schema.js'

export interface Point<M extends MeasurementKey> {
  tags: Partial<Record<TagOf<M>, string>>
  fields: Partial<Record<FieldOf<M>, number>>
  /** ms since epoch */
  ts: number
}

const BATCH = 5_000

export class SchemaWriter {
  private readonly influx: InfluxDB

  constructor(url: string) {
    const { hostname, port } = new URL(url)
    this.influx = new InfluxDB({
      host: hostname,
      port: Number(port),
      database: DATABASE,
      schema: Object.values(MEASUREMENTS).map((m) => ({
        measurement: m.name,
        tags: [...m.tags],
        fields: Object.fromEntries(
          Object.entries(m.fields).map(([name, type]) => [name, type === 'integer' ? FieldType.INTEGER : type === 'string' ? FieldType.STRING : FieldType.FLOAT]),
        ),
      })),
    })
  }

  async write<M extends MeasurementKey>(measurement: M, points: readonly Point<M>[]): Promise<void> {
    const spec = MEASUREMENTS[measurement]
    const all: IPoint[] = points.map((p) => ({
      measurement: spec.name,
      tags: Object.fromEntries(Object.entries(p.tags).filter((e): e is [string, string] => typeof e[1] === 'string')),
      fields: p.fields,
      timestamp: p.ts,
    }))
    for (let i = 0; i < all.length; i += BATCH) {
      await this.influx.writePoints(all.slice(i, i + BATCH), { retentionPolicy: spec.rp, precision: 'ms' })
    }
  }
}
