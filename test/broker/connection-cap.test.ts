/** The per-device connection cap: distinct clientIds beyond it get CONNACK 3; a takeover always gets in. */
import type { MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { BROKER_DEFAULTS } from '../../broker/broker.js'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, closed, startHarness } from './harness.js'
import { RawClient, connectPacket } from './raw-mqtt.js'

describe('per-device connection cap', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  it(`by default (${BROKER_DEFAULTS.maxConnectionsPerDevice}) a device's next connection with a new clientId gets CONNACK 3 (server unavailable)`, { timeout: 20_000 }, async () => {
    h = await startHarness()
    const harness = h
    const clients: MqttClient[] = []
    for (let i = 0; i < BROKER_DEFAULTS.maxConnectionsPerDevice; i++) clients.push(await harness.connect('meter-1', { clientId: `c${i}` }))
    await expect(harness.connect('meter-1', { clientId: 'one-too-many' })).rejects.toMatchObject({ code: 3 })
    // Other devices are not affected, and the device's live connections keep working.
    const other = await harness.connect('meter-2')
    await other.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    await clients[0]?.publishAsync(TOPICS.telemetry, '{"current_a":2}', { qos: 1 })
    expect(harness.ingested.map((i) => i.identity.id)).toEqual(['meter-2', 'meter-1'])
  })

  it('a slot freed by a closed connection can be used again', { timeout: 10_000 }, async () => {
    h = await startHarness({ maxConnectionsPerDevice: 2 })
    const first = await h.connect('meter-1', { clientId: 'a' })
    await h.connect('meter-1', { clientId: 'b' })
    await expect(h.connect('meter-1', { clientId: 'c' })).rejects.toMatchObject({ code: 3 })
    const gone = closed(first)
    await first.endAsync()
    await gone
    const harness = h
    // The server sees the close a moment after the client does.
    for (let attempt = 0; ; attempt++) {
      try {
        await harness.connect('meter-1', { clientId: 'c' })
        break
      } catch (error) {
        if (attempt > 100) throw error
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  })

  it('at the cap, a CONNECT reusing a connected clientId takes that session over [MQTT-3.1.4-2] (a half-open connection does not lock the device out)', { timeout: 10_000 }, async () => {
    h = await startHarness({ maxConnectionsPerDevice: 2 })
    const stale = await h.connect('meter-1', { clientId: 'fw' })
    await h.connect('meter-1', { clientId: 'other' })
    const staleGone = closed(stale)
    const fresh = await h.connect('meter-1', { clientId: 'fw' })
    await staleGone
    await fresh.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    expect(h.ingested).toHaveLength(1)
    // The taken-over connection released nothing it no longer held: still at the cap.
    await expect(h.connect('meter-1', { clientId: 'third' })).rejects.toMatchObject({ code: 3 })
  })

  it('two devices using the same clientId are two sessions, each within its own cap', { timeout: 10_000 }, async () => {
    h = await startHarness({ maxConnectionsPerDevice: 1 })
    await h.connect('meter-1', { clientId: 'same' })
    const m2 = await h.connect('meter-2', { clientId: 'same' })
    await m2.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    expect(h.ingested.map((i) => i.identity.id)).toEqual(['meter-2'])
  })
})

describe('per-device connection cap: connections that close during authentication', () => {
  it('hold no slot: 5 connections hanging up while the registry answers slowly leave the cap free', { timeout: 20_000 }, async () => {
    let release!: () => void
    const slow = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    const h = await startHarness({
      maxConnectionsPerDevice: 2,
      async authenticate(deviceId) {
        calls++
        if (calls <= 5) await slow
        return { id: deviceId, kind: 'meter', bridgeFor: [] }
      },
    })
    try {
      const raws = []
      for (let i = 0; i < 5; i++) {
        const raw = await RawClient.open(h.port)
        raw.send(connectPacket({ clientId: `hang-${i}`, username: 'meter-1', password: 'x' }))
        raws.push(raw)
      }
      while (calls < 5) await new Promise((resolve) => setTimeout(resolve, 5))
      for (const raw of raws) raw.destroy()
      await Promise.all(raws.map((r) => r.closed))
      await new Promise((resolve) => setTimeout(resolve, 50))
      release()
      await new Promise((resolve) => setTimeout(resolve, 50))
      const a = await h.connect('meter-1', { clientId: 'a' })
      const b = await h.connect('meter-1', { clientId: 'b' })
      expect(a.connected && b.connected).toBe(true)
    } finally {
      await h.close()
    }
  })
})
