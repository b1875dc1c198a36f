/**
 * MQTT 3.1.1 conformance of the broker, rule by rule, with raw packets (exact bytes on the wire).
 * OASIS MQTT Version 3.1.1 (2014), normative statement IDs in the test names.
 */
import mqtt from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, startHarness } from './harness.js'
import { RawClient, connectPacket, publishPacket, subscribePacket } from './raw-mqtt.js'

const CONNACK = 2
const PUBACK = 4
const SUBACK = 9
const CREDENTIALS = { username: 'meter-1', password: 's3cret-1' }

/** Sends a CONNECT; returns the CONNACK return code after waiting for the close the spec requires. */
async function refusedWith(port: number, connect: Buffer): Promise<number> {
  const raw = await RawClient.open(port)
  raw.send(connect)
  const connack = await raw.waitFor(CONNACK)
  await raw.closed
  return connack.body[1] as number
}

/** A connected raw client (CONNACK 0 checked). */
async function connected(port: number, clientId = 'raw'): Promise<RawClient> {
  const raw = await RawClient.open(port)
  raw.send(connectPacket({ clientId, ...CREDENTIALS }))
  const connack = await raw.waitFor(CONNACK)
  expect(connack.body[1]).toBe(0)
  return raw
}

const telemetry = Buffer.from(TOPICS.telemetry)
const withBytes = (...bytes: number[]): Buffer => Buffer.concat([telemetry, Buffer.from(bytes)])

describe('MQTT 3.1.1 conformance', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  describe('ClientId', () => {
    it('[MQTT-3.1.3-8] a zero-byte ClientId with CleanSession=0 gets CONNACK 2 (identifier rejected) and the connection closes', { timeout: 10_000 }, async () => {
      expect(await refusedWith(h.port, connectPacket({ clientId: '', clean: false, ...CREDENTIALS }))).toBe(2)
      expect(h.broker.stats().connected).toBe(0)
    })

    it('[MQTT-3.1.3-6] a zero-byte ClientId with CleanSession=1 is accepted', { timeout: 10_000 }, async () => {
      const raw = await RawClient.open(h.port)
      raw.send(Buffer.concat([connectPacket({ clientId: '', ...CREDENTIALS }), publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, 7)]))
      expect((await raw.waitFor(CONNACK)).body[1]).toBe(0)
      await raw.waitFor(PUBACK)
      raw.destroy()
    })

    it.each([
      ['a lone continuation byte', [0x80]],
      ['a truncated 2-byte sequence', [0xc3, 0x28]],
      ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
      ['a UTF-16 surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
      ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ])('[MQTT-1.5.3-1] [MQTT-3.1.3-9] a ClientId with ill-formed UTF-8 (%s) gets CONNACK 2 and the connection closes', { timeout: 10_000 }, async (_case, bytes) => {
      const clientId = Buffer.concat([Buffer.from('dev'), Buffer.from(bytes)])
      expect(await refusedWith(h.port, connectPacket({ clientId, ...CREDENTIALS }))).toBe(2)
    })

    it('[MQTT-1.5.3-2] a ClientId containing U+0000 gets CONNACK 2', { timeout: 10_000 }, async () => {
      expect(await refusedWith(h.port, connectPacket({ clientId: 'dev\u0000x', ...CREDENTIALS }))).toBe(2)
    })

    it('a well-formed non-ASCII ClientId is accepted', { timeout: 10_000 }, async () => {
      const raw = await connected(h.port, 'gerät-温度-🌡')
      raw.destroy()
    })
  })

  describe('topic names in PUBLISH: the connection closes, no PUBACK, nothing ingested', () => {
    it.each([
      ['[MQTT-1.5.3-1] ill-formed UTF-8', withBytes(0xc3, 0x28)],
      ['[MQTT-1.5.3-1] an overlong encoding', withBytes(0xc0, 0xaf)],
      ['[MQTT-1.5.3-2] U+0000', withBytes(0x00)],
      ['[MQTT-3.3.2-2] a # wildcard', Buffer.from('v1/devices/me/#')],
      ['[MQTT-3.3.2-2] a + wildcard', Buffer.from('v1/devices/+/telemetry')],
      ['[MQTT-4.7.3-1] an empty topic name', Buffer.alloc(0)],
    ])('%s', { timeout: 10_000 }, async (_case, topic) => {
      const raw = await connected(h.port)
      raw.send(publishPacket(topic, '{"current_a":1}', 1, 9))
      await raw.closed
      expect(raw.has(PUBACK)).toBe(false)
      expect(h.ingested).toEqual([])
    })
  })

  describe('topic filters in SUBSCRIBE', () => {
    it.each([
      ['[MQTT-1.5.3-1] ill-formed UTF-8', Buffer.from([0x76, 0x31, 0x2f, 0xc3, 0x28])],
      ['[MQTT-1.5.3-2] U+0000', Buffer.from('v1/devices/me/errors\u0000')],
    ])('%s closes the connection (no SUBACK)', { timeout: 10_000 }, async (_case, filter) => {
      const raw = await connected(h.port)
      raw.send(subscribePacket([filter], 3))
      await raw.closed
      expect(raw.has(SUBACK)).toBe(false)
    })

    it('a well-formed filter the ACL refuses gets SUBACK 0x80 and the connection stays', { timeout: 10_000 }, async () => {
      const raw = await connected(h.port)
      raw.send(subscribePacket(['v1/devices/meter-2/errors'], 3))
      const suback = await raw.waitFor(SUBACK)
      expect([...suback.body]).toEqual([0, 3, 0x80])
      raw.send(publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, 4))
      await raw.waitFor(PUBACK)
      raw.destroy()
    })
  })

  describe('protocol versions', () => {
    it('[MQTT-3.1.2-2] an MQTT 5 CONNECT gets CONNACK 1 (unacceptable protocol level) and the connection closes', { timeout: 10_000 }, async () => {
      expect(await refusedWith(h.port, connectPacket({ clientId: 'v5', protocolVersion: 5, ...CREDENTIALS }))).toBe(1)
    })

    it('a CONNECT with an unknown protocol level (6) is closed without CONNACK', { timeout: 10_000 }, async () => {
      const connect = connectPacket({ clientId: 'v6', ...CREDENTIALS })
      connect[2 + 2 + 4] = 6 // fixed header (2) + protocol name length (2) + "MQTT" (4): the level byte
      const raw = await RawClient.open(h.port)
      raw.send(connect)
      await raw.closed
      expect(raw.packets).toEqual([])
    })

    it('mqtt.js speaking MQTT 5 is refused with "Unsupported protocol version"', { timeout: 10_000 }, async () => {
      const attempt = mqtt.connectAsync(`mqtt://127.0.0.1:${h.port}`, { protocolVersion: 5, ...CREDENTIALS, reconnectPeriod: 0 })
      await expect(attempt).rejects.toThrow(/protocol/i)
    })

    it('MQTT 3.1 ("MQIsdp", level 3) is supported: mqtt.js connects and gets its PUBACK', { timeout: 10_000 }, async () => {
      const client = await h.connect('meter-1', { protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'v31-device' })
      await client.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
      expect(h.ingested).toHaveLength(1)
    })

    it('[MQTT-3.1.0-2] a second CONNECT on a connection closes it', { timeout: 10_000 }, async () => {
      const raw = await connected(h.port)
      raw.send(connectPacket({ clientId: 'again', ...CREDENTIALS }))
      await raw.closed
      expect(raw.packets.filter((p) => p.type === CONNACK)).toHaveLength(1)
    })
  })
})
