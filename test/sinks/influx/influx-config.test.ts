/** The GW_INFLUX_* variables: InfluxDB is off unless a URL is given; bad values are named. */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../gateway/config.js'

describe('InfluxDB configuration', () => {
  it('is off without GW_INFLUX_URL, and has defaults with it', () => {
    expect(loadConfig({}).influx).toBeUndefined()
    expect(loadConfig({ GW_INFLUX_URL: 'http://127.0.0.1:8086', GW_INFLUX_DB: '' }).influx).toEqual({
      url: 'http://127.0.0.1:8086',
      username: undefined,
      password: undefined,
      database: 'hvac',
      batchPoints: 5000,
      inServiceRetention: '400d',
    })
    expect(
      loadConfig({ GW_INFLUX_URL: 'https://influx.example:8443/v1', GW_INFLUX_USER: 'gw', GW_INFLUX_PASSWORD: 'tok', GW_INFLUX_DB: 'site7', GW_INFLUX_BATCH: '2000', GW_INFLUX_RETENTION: '52w' }).influx,
    ).toMatchObject({ username: 'gw', password: 'tok', database: 'site7', batchPoints: 2000, inServiceRetention: '52w' })
  })

  it('names bad values', () => {
    let message = ''
    try {
      loadConfig({ GW_INFLUX_URL: 'influx:8086', GW_INFLUX_BATCH: '0', GW_INFLUX_RETENTION: '400 days' })
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      message = (err as Error).message
    }
    expect(message).toMatch(/GW_INFLUX_URL="influx:8086": must be an http:\/\/ or https:\/\/ URL/)
    expect(message).toMatch(/GW_INFLUX_BATCH="0"/)
    expect(message).toMatch(/GW_INFLUX_RETENTION="400 days": must be INF or an InfluxQL duration/)
  })
})
