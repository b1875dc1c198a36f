import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { canPublish, mapSubscription, meTopicFor } from '../../broker/acl.js'
import type { DeviceIdentity } from '../../contract/device-identity.js'
import { TOPICS, deviceErrorTopic } from '../../contract/topics.js'
import { type Harness, closed, startHarness } from './harness.js'
import { RawClient, connectPacket, publishPacket, subscribePacket } from './raw-mqtt.js'

const meter: DeviceIdentity = { id: 'meter-1', kind: 'meter', bridgeFor: [] }
const bridge: DeviceIdentity = { id: 'bridge-1', kind: 'bridge', bridgeFor: ['meter-1'] }

describe('acl (pure)', () => {
  it.each([
    [meter, TOPICS.telemetry, true],
    [meter, TOPICS.attributes, true],
    [meter, TOPICS.gatewayTelemetry, false],
    [meter, TOPICS.errors, false],
    [meter, 'v1/devices/other/telemetry', false],
    [meter, 'v1/devices/meter-1/telemetry', false],
    [meter, deviceErrorTopic('meter-1'), false],
    [meter, '$SYS/x', false],
    [meter, 'anything', false],
    [bridge, TOPICS.gatewayTelemetry, true],
    [bridge, TOPICS.gatewayAttributes, true],
    [bridge, TOPICS.telemetry, true],
    [bridge, '$SYS/broker/x', false],
  ] as const)('canPublish(%o, %s) = %s', (identity, topic, allowed) => {
    expect(canPublish(identity, topic)).toBe(allowed)
  })

  it.each([
    [TOPICS.errors, deviceErrorTopic('meter-1')],
    [deviceErrorTopic('meter-1'), deviceErrorTopic('meter-1')], // restored persistent session
    ['#', null],
    ['+/devices/me/errors', null],
    ['v1/devices/+/errors', null],
    ['v1/devices/other/errors', null],
    [TOPICS.telemetry, null],
    ['$SYS/#', null],
    ['v1/devices/me/#', null],
  ])('mapSubscription(meter-1, %s) = %s', (topic, mapped) => {
    expect(mapSubscription(meter, topic)).toBe(mapped)
  })

  it('meTopicFor inverts the mapping for the owner only', () => {
    expect(meTopicFor(meter, deviceErrorTopic('meter-1'))).toBe(TOPICS.errors)
    expect(meTopicFor(meter, deviceErrorTopic('meter-2'))).toBeNull()
    expect(meTopicFor(meter, TOPICS.errors)).toBeNull()
  })
})

describe('acl (broker)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it.each(['v1/devices/other/telemetry', '$SYS/x', TOPICS.gatewayTelemetry, TOPICS.errors])(
    'a meter publishing to %s is disconnected and nothing is ingested',
    { timeout: 10_000 },
    async (topic) => {
      const client = await h.connect('meter-1')
      const gone = closed(client)
      client.publish(topic, '{"current_a":1}', { qos: 1 })
      await gone
      expect(h.ingested).toEqual([])
    },
  )

  it('a bridge may publish v1/gateway/telemetry', { timeout: 10_000 }, async () => {
    const client = await h.connect('bridge-1')
    await client.publishAsync(TOPICS.gatewayTelemetry, '{"meter-1":[]}', { qos: 1 })
    expect(h.ingested.map((c) => [c.identity.id, c.packet.topic])).toEqual([['bridge-1', TOPICS.gatewayTelemetry]])
  })

  it('SUBACK: 0x80 for #, another device and $SYS; granted for the own "me" topic', { timeout: 10_000 }, async () => {
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'raw', username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(2)
    raw.send(subscribePacket(['#', 'v1/devices/other/errors', '$SYS/#', TOPICS.errors], 7))
    const suback = await raw.waitFor(9)
    expect([...suback.body]).toEqual([0, 7, 0x80, 0x80, 0x80, 1])
    raw.destroy()
  })

  it('deviceErrorTopic(id) reaches that device as v1/devices/me/errors and no other device', { timeout: 10_000 }, async () => {
    const a = await h.connect('meter-1')
    const b = await h.connect('meter-2')
    await a.subscribeAsync(TOPICS.errors, { qos: 1 })
    await b.subscribeAsync(TOPICS.errors, { qos: 1 })
    const atA = nextMessage(a)
    const atB = nextMessage(b)
    await h.broker.publish(deviceErrorTopic('meter-1'), 'for a', { qos: 1 })
    await h.broker.publish(deviceErrorTopic('meter-2'), 'for b', { qos: 1 })
    // b's first message is its own: had a's been delivered to b, it would have come first.
    expect(await atA).toEqual({ topic: TOPICS.errors, payload: 'for a' })
    expect(await atB).toEqual({ topic: TOPICS.errors, payload: 'for b' })
  })

  it('unsubscribing the "me" form stops delivery', { timeout: 10_000 }, async () => {
    const a = await h.connect('meter-1')
    const received: string[] = []
    a.on('message', (_topic, payload) => received.push(payload.toString()))
    await a.subscribeAsync(TOPICS.errors, { qos: 1 })
    await a.unsubscribeAsync(TOPICS.errors)
    await h.broker.publish(deviceErrorTopic('meter-1'), 'while unsubscribed', { qos: 1 })
    await a.subscribeAsync(TOPICS.errors, { qos: 1 })
    const next = nextMessage(a)
    await h.broker.publish(deviceErrorTopic('meter-1'), 'after resubscribe', { qos: 1 })
    await next
    expect(received).toEqual(['after resubscribe'])
  })

  it('two devices with the same clientId do not take each other over', { timeout: 10_000 }, async () => {
    const a = await h.connect('meter-1', { clientId: 'ESP32' })
    const b = await h.connect('meter-2', { clientId: 'ESP32' })
    await a.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    await b.publishAsync(TOPICS.telemetry, '{"current_a":2}', { qos: 1 })
    expect(a.connected && b.connected).toBe(true)
    expect(h.ingested.map((c) => c.identity.id)).toEqual(['meter-1', 'meter-2'])
  })

  it('a device cannot publish with the "me" form of another device via raw bytes either', { timeout: 10_000 }, async () => {
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'raw', username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(2)
    raw.send(publishPacket(deviceErrorTopic('meter-2'), 'spoof', 1, 3))
    await raw.closed
    expect(raw.has(4)).toBe(false)
    expect(h.ingested).toEqual([])
  })
})

function nextMessage(client: import('mqtt').MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })))
}
