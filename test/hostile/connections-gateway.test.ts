/**
 * The broker limits through the whole gateway, configured by their GW_* variables: a pending
 * flood, the per-device connection cap and the publish rate limit, with real ingest into SQLite.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, startHarness } from '../helpers/gateway-harness.js'
import { type Flood, RSS_BOUND_BYTES, openFlood, publishQos1, settledRss, until } from './hostile-harness.js'

describe('broker limits in the running gateway', () => {
  let gw: Harness | undefined
  const floods: Flood[] = []
  afterEach(async () => {
    for (const f of floods.splice(0)) f.stop()
    await gw?.close()
    gw = undefined
  })

  it('GW_MAX_PENDING_PER_ADDRESS: 1,000 idle sockets from 127.0.0.2 leave room for a device on 127.0.0.1', { timeout: 60_000 }, async () => {
    gw = await startHarness({ env: { GW_MAX_PENDING_CONNECTIONS: '100', GW_MAX_PENDING_PER_ADDRESS: '20', GW_CONNECT_TIMEOUT_MS: '120000' } })
    const secret = await gw.register('meter-1')
    const before = await gw.connect('meter-1', secret, { clientId: 'before' })
    const rssBefore = settledRss()
    const port = Number(new URL(gw.mqttUrl).port)
    floods.push(await openFlood(port, '127.0.0.2', 1000, { reopen: true, maxReopens: 1000 }))
    const device = await gw.connect('meter-1', secret, { clientId: 'during' })
    await publishQos1(device)
    await publishQos1(before)
    expect(settledRss() - rssBefore).toBeLessThan(RSS_BOUND_BYTES)
  })

  it('GW_MAX_CONNECTIONS_PER_DEVICE: the next new ClientId gets CONNACK 3', { timeout: 30_000 }, async () => {
    gw = await startHarness({ env: { GW_MAX_CONNECTIONS_PER_DEVICE: '2' } })
    const secret = await gw.register('meter-1')
    await gw.connect('meter-1', secret, { clientId: 'a' })
    await gw.connect('meter-1', secret, { clientId: 'b' })
    await expect(gw.connect('meter-1', secret, { clientId: 'c' })).rejects.toMatchObject({ code: 3 })
  })

  it('GW_DEVICE_PUBLISH_RATE/BURST: a fast device is told GW_ERR_RATE_LIMITED and every reading is still stored and acknowledged', { timeout: 30_000 }, async () => {
    gw = await startHarness({ env: { GW_DEVICE_PUBLISH_RATE: '50', GW_DEVICE_PUBLISH_BURST: '10' } })
    const secret = await gw.register('meter-1')
    const device = await gw.connect('meter-1', secret)
    const notices: Array<{ error: { code: string } }> = []
    device.on('message', (topic, payload) => {
      if (topic === TOPICS.errors) notices.push(JSON.parse(payload.toString()) as (typeof notices)[number])
    })
    await device.subscribeAsync(TOPICS.errors, { qos: 1 })
    const sends = []
    for (let i = 0; i < 40; i++) {
      sends.push(device.publishAsync(TOPICS.telemetry, JSON.stringify({ ts: Date.now() - 60_000 + i, values: { current_a: i } }), { qos: 1 }))
    }
    await Promise.all(sends) // every PUBACK arrives (those past the burst later)
    await until(() => notices.some((n) => n.error.code === 'GW_ERR_RATE_LIMITED'), 'the rate-limit notice')
    // Acknowledged means stored: all 40 readings are in SQLite.
    expect(gw.gateway.ingest?.counters.readingsStored).toBe(40)
  })
})
