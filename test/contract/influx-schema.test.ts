/**
 * The InfluxQL quoting the contract owns (contract/influx-schema.ts, no client library on the
 * ground floor), against a real influxd: names and values with quotes and backslashes round-trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdent, quoteString } from '../../contract/influx-schema.js'
import { influxQuery, influxRows, startInfluxServer, type InfluxServer } from '../helpers/influx-server.js'

let server: InfluxServer | undefined
beforeAll(async () => {
  server = await startInfluxServer()
})
afterAll(() => server?.close())

describe('InfluxQL quoting', () => {
  it('quotes identifiers and string literals as InfluxQL reads them', () => {
    expect(quoteIdent('hvac')).toBe('"hvac"')
    expect(quoteIdent('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(quoteString("it's")).toBe("'it\\'s'")
    expect(quoteString('a\\b')).toBe("'a\\\\b'")
  })

  it('a measurement name and a tag value with quotes and backslashes round-trip through influxd', async () => {
    const url = server!.url
    const db = 'quoting'
    await influxQuery(url, `CREATE DATABASE ${quoteIdent(db)}`)
    // Line protocol escapes only , = and space here: the backslashes and quotes are literal.
    const measurement = 'tele"m\\etry'
    const device = "unit'7\\b"
    const res = await fetch(`${url}/write?db=${db}&precision=ms`, { method: 'POST', body: `${measurement},device_id=${device} current_a=5 1000` })
    expect(res.status).toBe(204)
    const rows = await influxRows(url, `SELECT "current_a", "device_id" FROM ${quoteIdent(db)}..${quoteIdent(measurement)} WHERE ${quoteIdent('device_id')} = ${quoteString(device)}`)
    expect(rows).toEqual([{ time: 1000, current_a: 5, device_id: device }])
  })
})
