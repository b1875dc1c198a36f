/**
 * Deep topics and prototype keys (`__proto__`, `constructor`, ...) as topic levels, ClientIds
 * and user names. aedes keys clients and subscriptions by wire strings; an inherited name must
 * read back as absent (GHSA-52qw-whmv-87c5), and the gateway's own maps are Map/WeakMap.
 */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOPICS, deviceErrorTopic } from '../../contract/topics.js'
import { startHarness as startGateway } from '../helpers/gateway-harness.js'
import { type Harness, startHarness } from '../broker/harness.js'
import { RawClient, connectPacket, publishPacket, subscribePacket } from '../broker/raw-mqtt.js'
import { RSS_BOUND_BYTES, expectStillServing, settledRss } from './hostile-harness.js'

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__']
const deep = (levels: number): string => Array.from({ length: levels }, (_, i) => `l${i}`).join('/')

describe('deep topics and prototype keys against the broker', () => {
  let h: Harness
  let before: MqttClient
  beforeAll(async () => {
    h = await startHarness()
    before = await h.connect('meter-1', { clientId: 'before' })
  })
  afterAll(async () => {
    await h.close()
  })

  async function connectedRaw(clientId: string): Promise<RawClient> {
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId, username: 'unit-1', password: 's3cret-u' }))
    expect((await raw.waitFor(2)).body[1]).toBe(0)
    return raw
  }

  it.each([
    ['a PUBLISH topic of 1,000 levels', () => publishPacket(deep(1000), '{"current_a":1}', 1, 5)],
    ['a SUBSCRIBE filter of 1,000 levels', () => subscribePacket([deep(1000)], 5)],
    ['a SUBSCRIBE filter of 1,000 "+" levels', () => subscribePacket([Array(1000).fill('+').join('/')], 5)],
  ])('%s closes that connection (aedes: at most 100 levels)', { timeout: 20_000 }, async (_case, make) => {
    const rssBefore = settledRss()
    for (let i = 0; i < 50; i++) {
      const raw = await connectedRaw(`deep-${i}`)
      raw.send(make())
      await raw.closed
      expect(raw.has(4) || raw.has(9)).toBe(false) // neither PUBACK nor SUBACK
    }
    expect(h.ingested.filter((c) => c.identity.id === 'unit-1')).toEqual([])
    await expectStillServing(h, before, 'meter-2', rssBefore)
  })

  it('one SUBSCRIBE with 10,000 refused filters gets one SUBACK of 10,000 x 0x80 and the connection stays', { timeout: 30_000 }, async () => {
    const rssBefore = settledRss()
    const raw = await connectedRaw('many-filters')
    // Short filters: 10,000 of them fit in one packet under the 256 KiB limit.
    const filters = Array.from({ length: 10_000 }, (_, i) => `x/${i}`)
    raw.send(subscribePacket(filters, 11))
    const suback = await raw.waitFor(9)
    expect(suback.body.length).toBe(2 + 10_000)
    expect(suback.body.subarray(2).every((b) => b === 0x80)).toBe(true)
    raw.send(publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, 12))
    await raw.waitFor(4)
    raw.destroy()
    await expectStillServing(h, before, 'meter-2', rssBefore)
  })

  it.each(PROTO_KEYS)('topic levels named %s: publishes close the connection, subscriptions get 0x80', { timeout: 20_000 }, async (key) => {
    const rssBefore = settledRss()
    for (const topic of [key, `v1/devices/${key}/telemetry`, `v1/devices/me/${key}`, `${key}/#`]) {
      const sub = await connectedRaw(`sub-${key}`)
      sub.send(subscribePacket([topic], 2))
      const suback = await sub.waitFor(9)
      expect(suback.body[2]).toBe(0x80)
      sub.destroy()
      if (topic.includes('#')) continue
      const pub = await connectedRaw(`pub-${key}`)
      pub.send(publishPacket(topic, '{"current_a":1}', 1, 3))
      await pub.closed
      expect(pub.has(4)).toBe(false)
    }
    await expectStillServing(h, before, 'meter-2', rssBefore)
  })

  it.each(PROTO_KEYS)('ClientId %s: a persistent session under it works and stays the device\'s own', { timeout: 20_000 }, async (key) => {
    const rssBefore = settledRss()
    const owner = await h.connect('meter-2', { clientId: key, clean: false })
    await owner.subscribeAsync(TOPICS.errors, { qos: 1 })
    const got = new Promise<string>((resolve) => owner.once('message', (_t, p) => resolve(p.toString())))
    await h.broker.publish(deviceErrorTopic('meter-2'), `for ${key}`, { qos: 1 })
    expect(await got).toBe(`for ${key}`)
    // Another device with the same ClientId is a different session [MQTT-3.1.4-2 scoped per device].
    const other = await h.connect('unit-1', { clientId: key, clean: false })
    expect(owner.connected).toBe(true)
    await other.endAsync()
    await owner.endAsync()
    await expectStillServing(h, before, 'meter-2', rssBefore)
  })

  it.each(PROTO_KEYS)('user name %s gets CONNACK 4', { timeout: 10_000 }, async (key) => {
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'x', username: key, password: 'anything' }))
    expect((await raw.waitFor(2)).body[1]).toBe(4)
    await raw.closed
  })
})

describe('prototype keys against the full gateway (real device registry)', () => {
  it('user names and ClientIds named like prototype keys', { timeout: 30_000 }, async () => {
    const gw = await startGateway()
    try {
      const secret = await gw.register('meter-9')
      const before = await gw.connect('meter-9', secret, { clientId: 'before' })
      const rssBefore = settledRss()
      const port = Number(new URL(gw.mqttUrl).port)
      for (const key of PROTO_KEYS) {
        const raw = await RawClient.open(port)
        raw.send(connectPacket({ clientId: key, username: key, password: secret }))
        expect((await raw.waitFor(2)).body[1]).toBe(4)
        await raw.closed
      }
      for (const key of PROTO_KEYS) {
        const c = await gw.connect('meter-9', secret, { clientId: key })
        await c.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
        await c.endAsync()
      }
      await before.publishAsync(TOPICS.telemetry, '{"current_a":2}', { qos: 1 })
      const after = await gw.connect('meter-9', secret, { clientId: 'after' })
      await after.publishAsync(TOPICS.telemetry, '{"current_a":3}', { qos: 1 })
      expect(settledRss() - rssBefore).toBeLessThan(RSS_BOUND_BYTES)
    } finally {
      await gw.close()
    }
  })
})
