import { describe, expect, it } from 'vitest'
import { type BrokerOptions, startBroker } from '../../broker/broker.js'
import { TOPICS } from '../../contract/topics.js'
import { closed, startHarness } from './harness.js'
import { RawClient } from './raw-mqtt.js'

const base: BrokerOptions = {
  host: '127.0.0.1',
  port: 0,
  maxPacketBytes: 256 * 1024,
  maxPendingConnections: 10,
  connectTimeoutMs: 5_000,
  authenticate: async () => null,
  onDevicePublish: async () => {},
}

describe('broker lifecycle', () => {
  it.each([
    ['maxPacketBytes', { maxPacketBytes: 0 }],
    ['maxPendingConnections', { maxPendingConnections: -1 }],
    ['connectTimeoutMs', { connectTimeoutMs: Number.NaN }],
    ['maxConnectBytes', { maxConnectBytes: 1.5 }],
  ])('rejects a bad %s before opening anything', { timeout: 5_000 }, async (_name, bad) => {
    await expect(startBroker({ ...base, ...bad })).rejects.toBeInstanceOf(RangeError)
  })

  it('fails to start on a port in use', { timeout: 5_000 }, async () => {
    const first = await startBroker(base)
    try {
      await expect(startBroker({ ...base, port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await first.close()
    }
  })

  it('close() is idempotent and drops connected and not-yet-authenticated sockets', { timeout: 10_000 }, async () => {
    const h = await startHarness()
    const device = await h.connect('meter-1')
    await device.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    const pending = await RawClient.open(h.port)
    const deviceGone = closed(device)
    const first = h.broker.close()
    expect(h.broker.close()).toBe(first)
    await first
    await Promise.all([deviceGone, pending.closed])
    await h.close()
  })
})
