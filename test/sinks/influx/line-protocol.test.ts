/**
 * The reading points' line protocol (gateway/sinks/influx/line-protocol.ts), which replaced
 * node-influx's writePoints for `commissioning` and `telemetry`: the lines node-influx wrote
 * (up to the order of fields), escaping per the line-protocol reference, and a refusal of
 * anything InfluxDB would refuse or read as another type.
 */
import { InfluxDB, type IPoint } from 'influx'
import { expect, it } from 'vitest'
import { floatPointLines } from '../../../gateway/sinks/influx/line-protocol.js'

const point = (tags: Record<string, string>, fields: Record<string, number>, timestamp: number, measurement = 'commissioning'): IPoint => ({ measurement, tags, fields, timestamp })

it('writes measurement, tags, float fields and the ms time, one line per point', () => {
  const body = floatPointLines([
    point({ job_id: 'J-1', device_id: 'meter-7' }, { pressure_low_kpag: 820.5, current_a: 6, lag_s: 0.25 }, 1_764_576_000_000),
    point({ device_id: 'meter-8' }, { voltage_v: 228.1, lag_s: -0.002 }, 1_764_576_000_001, 'telemetry'),
  ])
  expect(body).toBe(
    'commissioning,job_id=J-1,device_id=meter-7 pressure_low_kpag=820.5,current_a=6,lag_s=0.25 1764576000000\n' +
      'telemetry,device_id=meter-8 voltage_v=228.1,lag_s=-0.002 1764576000001',
  )
})

it('escapes commas, equals signs and spaces in tags and keys, commas and spaces in the measurement', () => {
  expect(floatPointLines([point({ device_id: 'a b,c=d' }, { 'x y': 1 }, 5, 'm e,s')])).toBe('m\\ e\\,s,device_id=a\\ b\\,c\\=d x\\ y=1 5')
})

it('writes the same points node-influx wrote, up to the order of the fields', () => {
  const points = [
    point({ job_id: 'J 1', device_id: 'm=1' }, { temp_suction_c: 8.123456789, voltage_v: 230, lag_s: 1e-7 }, 1_764_576_000_123),
    point({ device_id: 'm,2' }, { current_a: 1e21, lag_s: 12.5 }, 1_764_576_000_124, 'telemetry'),
  ]
  // node-influx's own serialization, captured from the body it would POST (its pool is replaced).
  const client = new InfluxDB({ database: 'x' })
  let sent = ''
  ;(client as unknown as { _pool: { discard(o: { body: string }): Promise<void> } })._pool = { discard: (o) => ((sent = o.body), Promise.resolve()) }
  void client.writePoints(points, { precision: 'ms' })
  const sortFields = (line: string) => {
    const [series, fields, ts] = line.split(' ')
    return `${series} ${fields!.split(',').sort().join(',')} ${ts}`
  }
  // Tag values here hold spaces (escaped), so split on the unescaped ones only.
  const norm = (body: string) => body.split('\n').map((l) => sortFields(l.replace(/\\ /g, '\u0000')).replace(/\u0000/g, '\\ '))
  expect(norm(floatPointLines(points))).toEqual(norm(sent))
  expect(sent).toContain('m\\=1')
})

it('refuses a field that is not a finite number, a point without fields or without an integer time', () => {
  expect(() => floatPointLines([point({ device_id: 'm' }, { a: Number.NaN }, 1)])).toThrow('field a of a commissioning point is not a finite number: NaN')
  expect(() => floatPointLines([point({ device_id: 'm' }, { a: Number.POSITIVE_INFINITY }, 1)])).toThrow('not a finite number: Infinity')
  expect(() => floatPointLines([{ measurement: 'telemetry', tags: { device_id: 'm' }, fields: { a: 'x' }, timestamp: 1 }])).toThrow('not a finite number: x')
  expect(() => floatPointLines([point({ device_id: 'm' }, {}, 1)])).toThrow('a commissioning point without fields')
  expect(() => floatPointLines([point({ device_id: 'm' }, { a: 1 }, 1.5)])).toThrow("time is not an integer ms: 1.5")
})
