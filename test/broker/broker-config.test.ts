/** The broker limits' GW_* variables: defaults, overrides, and a clear error for a bad value. */
import { describe, expect, it } from 'vitest'
import { BROKER_DEFAULTS } from '../../broker/broker.js'
import { loadConfig } from '../../gateway/config.js'

describe('broker limit configuration', () => {
  it('defaults to the broker defaults', () => {
    expect(loadConfig({}).brokerLimits).toEqual({
      maxPendingPerAddress: BROKER_DEFAULTS.maxPendingPerAddress,
      maxConnectionsPerDevice: BROKER_DEFAULTS.maxConnectionsPerDevice,
      publishRate: BROKER_DEFAULTS.publishRate,
      maxQueuedMessages: BROKER_DEFAULTS.maxQueuedMessages,
      maxQueuedBytes: BROKER_DEFAULTS.maxQueuedBytes,
    })
    expect(loadConfig({}).brokerLimits).toMatchObject({ maxPendingPerAddress: 100, maxConnectionsPerDevice: 8, publishRate: { perSecond: 200, burst: 1000 } })
  })

  it('reads every variable', () => {
    const limits = loadConfig({
      GW_MAX_PENDING_PER_ADDRESS: '20',
      GW_MAX_CONNECTIONS_PER_DEVICE: '3',
      GW_DEVICE_PUBLISH_RATE: '50',
      GW_DEVICE_PUBLISH_BURST: '60',
      GW_SESSION_QUEUE_MESSAGES: '10',
      GW_SESSION_QUEUE_BYTES: '65536',
    }).brokerLimits
    expect(limits).toEqual({
      maxPendingPerAddress: 20,
      maxConnectionsPerDevice: 3,
      publishRate: { perSecond: 50, burst: 60 },
      maxQueuedMessages: 10,
      maxQueuedBytes: 65_536,
    })
  })

  it('names a bad value', () => {
    expect(() => loadConfig({ GW_MAX_CONNECTIONS_PER_DEVICE: '0', GW_DEVICE_PUBLISH_RATE: 'fast' })).toThrow(
      /GW_MAX_CONNECTIONS_PER_DEVICE="0": .*\n.*GW_DEVICE_PUBLISH_RATE="fast"/,
    )
  })
})
