/**
 * Reading points (measurements `commissioning` and `telemetry`: string tags, float fields, ms
 * times) as InfluxDB line protocol, one string per write request. node-influx's writePoints
 * does the same through a schema check, a sorted copy of every point's fields and a regex
 * escape of each key and value; for the forwarder's batches of thousands of 9-field points that
 * was about a third of its thread's CPU (test/bench/forward-micro.ts). The lines written are
 * the ones node-influx wrote, but for the order of the fields (node-influx sorts them;
 * InfluxDB does not care: a point is its measurement, tag set and time).
 *
 * Line protocol (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/):
 * measurement[,tag=value...] field=value[,field=value...] time. In measurement names commas and
 * spaces are escaped with a backslash; in tag keys, tag values and field keys also equals
 * signs. A float field is the number as JavaScript prints it (no `i` suffix: float).
 */
import type { IPoint } from 'influx'

const TAG_SPECIAL = /[,= ]/
const TAG_SPECIAL_ALL = /[,= ]/g
const MEASUREMENT_SPECIAL = /[, ]/
const MEASUREMENT_SPECIAL_ALL = /[, ]/g

/** Tag keys, tag values and field keys. */
export function escapeKey(s: string): string {
  return TAG_SPECIAL.test(s) ? s.replace(TAG_SPECIAL_ALL, '\\$&') : s
}

export function escapeMeasurement(s: string): string {
  return MEASUREMENT_SPECIAL.test(s) ? s.replace(MEASUREMENT_SPECIAL_ALL, '\\$&') : s
}

/**
 * The points as line protocol, joined by newlines. Every field must be a finite number (the
 * reading measurements': values are validated at ingest, lag_s computed); anything else throws
 * rather than write a line InfluxDB would refuse or read as another type.
 */
export function floatPointLines(points: readonly IPoint[]): string {
  let out = ''
  // Tag and field keys repeat from point to point: escape each once per request.
  const keys = new Map<string, string>()
  const key = (k: string): string => {
    let e = keys.get(k)
    if (e === undefined) keys.set(k, (e = escapeKey(k)))
    return e
  }
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!
    if (p.measurement === undefined) throw new Error('a point without a measurement')
    let line = escapeMeasurement(p.measurement)
    const tags = p.tags
    if (tags) for (const t in tags) line += `,${key(t)}=${escapeKey(tags[t]!)}`
    let sep = ' '
    const fields = p.fields ?? {}
    for (const f in fields) {
      const v = fields[f]
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`field ${f} of a ${p.measurement} point is not a finite number: ${String(v)}`)
      line += `${sep}${key(f)}=${v}`
      sep = ','
    }
    if (sep === ' ') throw new Error(`a ${p.measurement} point without fields`)
    const ts = p.timestamp
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) throw new Error(`a ${p.measurement} point's time is not an integer ms: ${String(ts)}`)
    out += i === 0 ? `${line} ${ts}` : `\n${line} ${ts}`
  }
  return out
}
