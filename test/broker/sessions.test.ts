/** Persistent sessions, session keys scoped to the device, and wills through the same ACL. */
import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOPICS, deviceErrorTopic } from '../../contract/topics.js'
import { type Harness, closed, startHarness } from './harness.js'

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })))
}

describe('sessions', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('a persistent session restores the mapped subscription and delivers what was queued offline', { timeout: 10_000 }, async () => {
    const first = await h.connect('meter-1', { clientId: 'persist', clean: false })
    await first.subscribeAsync(TOPICS.errors, { qos: 1 })
    await first.endAsync()
    await h.broker.publish(deviceErrorTopic('meter-1'), 'queued while offline', { qos: 1 })

    // Not h.connect(): the queued message may arrive in the same read as the CONNACK.
    const again = mqtt.connect(`mqtt://127.0.0.1:${h.port}`, {
      clientId: 'persist',
      clean: false,
      username: 'meter-1',
      password: 's3cret-1',
      reconnectPeriod: 0,
    })
    try {
      expect(await nextMessage(again)).toEqual({ topic: TOPICS.errors, payload: 'queued while offline' })
    } finally {
      await again.endAsync(true)
    }
  })

  it('another device using the same clientId does not get that session', { timeout: 10_000 }, async () => {
    const owner = await h.connect('meter-1', { clientId: 'shared', clean: false })
    await owner.subscribeAsync(TOPICS.errors, { qos: 1 })
    await owner.endAsync()
    await h.broker.publish(deviceErrorTopic('meter-1'), 'for meter-1 only', { qos: 1 })

    const intruder = await h.connect('meter-2', { clientId: 'shared', clean: false })
    expect(intruder.connected).toBe(true)
    await intruder.subscribeAsync(TOPICS.errors, { qos: 1 })
    const first = nextMessage(intruder)
    await h.broker.publish(deviceErrorTopic('meter-2'), 'for meter-2', { qos: 1 })
    expect(await first).toEqual({ topic: TOPICS.errors, payload: 'for meter-2' })
  })

  it('unsubscribing the "me" form also removes it from the persistent session', { timeout: 10_000 }, async () => {
    const first = await h.connect('meter-1', { clientId: 'persist-u', clean: false })
    await first.subscribeAsync(TOPICS.errors, { qos: 1 })
    await first.unsubscribeAsync(TOPICS.errors)
    await first.endAsync()
    await h.broker.publish(deviceErrorTopic('meter-1'), 'not subscribed', { qos: 1 })

    // Every message from the first byte on: a surviving stored subscription would have queued
    // 'not subscribed' and delivered it right after the CONNACK.
    const again = mqtt.connect(`mqtt://127.0.0.1:${h.port}`, {
      clientId: 'persist-u',
      clean: false,
      username: 'meter-1',
      password: 's3cret-1',
      reconnectPeriod: 0,
    })
    const received: string[] = []
    again.on('message', (_topic, payload) => received.push(payload.toString()))
    try {
      await new Promise((resolve) => again.once('connect', resolve))
      await again.subscribeAsync(TOPICS.errors, { qos: 1 })
      const next = nextMessage(again)
      await h.broker.publish(deviceErrorTopic('meter-1'), 'subscribed again', { qos: 1 })
      await next
      expect(received).toEqual(['subscribed again'])
    } finally {
      await again.endAsync(true)
    }
  })
})

describe('wills', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('a will on a forbidden topic is dropped and does not reach other devices', { timeout: 10_000 }, async () => {
    const watcher = await h.connect('meter-2')
    await watcher.subscribeAsync(TOPICS.errors, { qos: 1 })
    const device = await h.connect('meter-1', {
      will: { topic: deviceErrorTopic('meter-2'), payload: Buffer.from('spoofed'), qos: 1, retain: false },
    })
    const gone = closed(device)
    device.stream.destroy() // abnormal disconnect: aedes tries to publish the will
    await gone
    const first = nextMessage(watcher)
    await h.broker.publish(deviceErrorTopic('meter-2'), 'real', { qos: 1 })
    expect(await first).toEqual({ topic: TOPICS.errors, payload: 'real' })
    expect(h.ingested).toEqual([])
  })

  it('a will on the device\'s own telemetry topic goes through onDevicePublish like any publish', { timeout: 10_000 }, async () => {
    const device = await h.connect('meter-1', {
      will: { topic: TOPICS.telemetry, payload: Buffer.from('{"online":0}'), qos: 1, retain: false },
    })
    device.stream.destroy()
    await h.waitForIngest(1)
    expect(h.ingested[0]?.identity.id).toBe('meter-1')
    expect(h.ingested[0]?.packet.payload.toString()).toBe('{"online":0}')
  })
})
