import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../gateway/config.js'

describe('configuration from the environment', () => {
  it('has working defaults when nothing is set', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ mqttPort: 1883, httpPort: 8080, dataDir: './data', adminToken: undefined, maxPacketBytes: 262_144, sync: 'full' })
  })

  it('reads the GW_* variables and ignores empty ones', () => {
    const c = loadConfig({ GW_MQTT_PORT: '11883', GW_HTTP_PORT: '', GW_DATA_DIR: '/tmp/x', GW_ADMIN_TOKEN: 'a-long-enough-token' })
    expect(c).toMatchObject({ mqttPort: 11883, httpPort: 8080, dataDir: '/tmp/x', adminToken: 'a-long-enough-token' })
  })

  it('names every bad variable with its value and what was wrong', () => {
    let message = ''
    try {
      loadConfig({ GW_MQTT_PORT: 'abc', GW_HTTP_PORT: '70000', GW_ADMIN_TOKEN: 'short', GW_SYNC: 'sometimes' })
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      message = (err as Error).message
    }
    expect(message).toMatch(/GW_MQTT_PORT="abc": .*number/i)
    expect(message).toMatch(/GW_HTTP_PORT="70000": .*65535/)
    expect(message).toMatch(/GW_ADMIN_TOKEN="short": must be at least 16 characters/)
    expect(message).toMatch(/GW_SYNC="sometimes": .*"full"/)
  })

  it('reads GW_METRICS_TOKEN, which must be as long as an admin token', () => {
    expect(loadConfig({ GW_METRICS_TOKEN: 'scraper-token-0123456789' }).metricsToken).toBe('scraper-token-0123456789')
    expect(loadConfig({}).metricsToken).toBeUndefined()
    expect(() => loadConfig({ GW_METRICS_TOKEN: 'short' })).toThrow(/GW_METRICS_TOKEN="short": must be at least 16 characters/)
  })
})
