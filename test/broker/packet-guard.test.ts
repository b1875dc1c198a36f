import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MqttFrameScanner } from '../../broker/packet-guard.js'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, closed, startHarness } from './harness.js'
import { PINGREQ, RawClient, connectPacket, publishPacket, remainingLength } from './raw-mqtt.js'

const LIMITS = { maxPacketBytes: 256 * 1024, maxConnectBytes: 16 * 1024 }
const CONNECT = connectPacket({ clientId: 'c', username: 'meter-1', password: 's3cret-1' })

/** A PUBLISH whose whole encoded size is exactly `total` bytes. */
function publishOfSize(total: number): Buffer {
  let payload = total - publishPacket(TOPICS.telemetry, '', 1).length
  for (;;) {
    const p = publishPacket(TOPICS.telemetry, Buffer.alloc(payload, 0x20), 1)
    if (p.length === total) return p
    payload -= p.length - total
  }
}

describe('MqttFrameScanner', () => {
  it('follows packet boundaries fed one byte at a time', () => {
    const scanner = new MqttFrameScanner(LIMITS)
    const stream = Buffer.concat([CONNECT, publishOfSize(300), PINGREQ, publishOfSize(LIMITS.maxPacketBytes), PINGREQ])
    for (let i = 0; i < stream.length; i++) expect(scanner.scan(stream.subarray(i, i + 1))).toBeNull()
  })

  it('follows boundaries when one chunk holds many packets and another splits a header', () => {
    const scanner = new MqttFrameScanner(LIMITS)
    const big = publishOfSize(20_000) // 3-byte remaining length
    const stream = Buffer.concat([CONNECT, PINGREQ, big, big, PINGREQ])
    const cut = CONNECT.length + PINGREQ.length + big.length + 2 // inside the second header
    expect(scanner.scan(stream.subarray(0, cut))).toBeNull()
    expect(scanner.scan(stream.subarray(cut))).toBeNull()
  })

  it.each([
    ['exactly maxPacketBytes', LIMITS.maxPacketBytes, null],
    ['one byte more', LIMITS.maxPacketBytes + 1, 'packet-too-large'],
    ['300 KiB', 300 * 1024, 'packet-too-large'],
  ])('after CONNECT, a packet of %s', (_case, size, reason) => {
    const scanner = new MqttFrameScanner(LIMITS)
    expect(scanner.scan(CONNECT)).toBeNull()
    // Only the fixed header is needed: the guard decides before the payload arrives.
    const header = publishOfSize(size).subarray(0, 4)
    expect(scanner.scan(header)?.reason ?? null).toBe(reason)
  })

  it.each([
    ['PUBLISH first', publishOfSize(50), 'first-packet-not-connect'],
    ['PINGREQ first', PINGREQ, 'first-packet-not-connect'],
    ['HTTP request', Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'first-packet-not-connect'],
    ['TLS ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), 'first-packet-not-connect'],
    ['CONNECT over the pre-auth limit', Buffer.concat([Buffer.from([0x10]), remainingLength(16 * 1024)]), 'connect-too-large'],
    ['remaining length with 5 bytes', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]), 'malformed-remaining-length'],
    ['CONNECT declaring 256 MiB', Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), 'connect-too-large'],
  ])('rejects %s', (_case, bytes, reason) => {
    expect(new MqttFrameScanner(LIMITS).scan(bytes)?.reason).toBe(reason)
  })

  it('rejects the reserved packet type 0 after CONNECT', () => {
    const scanner = new MqttFrameScanner(LIMITS)
    expect(scanner.scan(CONNECT)).toBeNull()
    expect(scanner.scan(Buffer.from([0x00, 0x00]))?.reason).toBe('reserved-packet-type')
  })
})

describe('packet guard on the TCP listener', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness({ maxPacketBytes: 256 * 1024 })
  })
  afterEach(async () => {
    await h.close()
  })

  it('a 300 KiB publish drops only that connection; another client keeps publishing', { timeout: 15_000 }, async () => {
    const bystander = await h.connect('meter-2')
    const offender = await h.connect('meter-1')
    const gone = closed(offender)
    offender.publish(TOPICS.telemetry, Buffer.alloc(300 * 1024, 0x20), { qos: 1 })
    await gone
    await bystander.publishAsync(TOPICS.telemetry, '{"current_a":2}', { qos: 1 })
    expect(bystander.connected).toBe(true)
    expect(h.ingested.map((c) => c.identity.id)).toEqual(['meter-2'])
    expect(h.broker.stats().rejectedPackets).toBe(1)
  })

  it('a publish of exactly maxPacketBytes is accepted', { timeout: 15_000 }, async () => {
    const raw = await RawClient.open(h.port)
    raw.send(CONNECT)
    await raw.waitFor(2)
    raw.send(publishOfSize(256 * 1024))
    await raw.waitFor(4)
    expect(h.ingested).toHaveLength(1)
    raw.destroy()
  })

  it.each([
    ['a PUBLISH before CONNECT', publishOfSize(100)],
    ['garbage bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a CONNECT header declaring 1 MiB', Buffer.concat([Buffer.from([0x10]), remainingLength(1024 * 1024)])],
    ['a malformed remaining length', Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01])],
  ])('%s on a raw socket: the socket is closed', { timeout: 10_000 }, async (_case, bytes) => {
    const raw = await RawClient.open(h.port)
    raw.send(bytes)
    await raw.closed
    expect(raw.packets).toEqual([])
    expect(h.broker.stats().rejectedPackets).toBe(1)
  })
})

async function waitUntil(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('pre-CONNECT flood guard', () => {
  it('at maxPendingConnections a newcomer sheds the oldest pending socket; authenticated clients are not counted', { timeout: 10_000 }, async () => {
    const h = await startHarness({ maxPendingConnections: 2 })
    try {
      const device = await h.connect('meter-1')
      const idle = [await RawClient.open(h.port), await RawClient.open(h.port)]
      await waitUntil(() => h.broker.stats().pending === 2)
      const newcomer = await RawClient.open(h.port)
      await idle[0]?.closed
      await waitUntil(() => h.broker.stats().shedConnections === 1)
      expect(h.broker.stats()).toMatchObject({ refusedConnections: 0, shedConnections: 1, pending: 2, connected: 1 })
      expect(newcomer.socket.destroyed).toBe(false)
      await device.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
      for (const raw of [...idle, newcomer]) raw.destroy()
    } finally {
      await h.close()
    }
  })

  it('refuses sockets beyond maxPendingPerAddress on accept', { timeout: 10_000 }, async () => {
    const h = await startHarness({ maxPendingConnections: 10, maxPendingPerAddress: 2 })
    try {
      const idle = [await RawClient.open(h.port), await RawClient.open(h.port)]
      await waitUntil(() => h.broker.stats().pending === 2)
      const refused = await RawClient.open(h.port)
      await refused.closed
      expect(h.broker.stats()).toMatchObject({ refusedConnections: 1, shedConnections: 0, pending: 2 })
      for (const raw of idle) raw.destroy()
    } finally {
      await h.close()
    }
  })

  it('drops a socket that sends no CONNECT within connectTimeoutMs', { timeout: 10_000 }, async () => {
    const h = await startHarness({ connectTimeoutMs: 200 })
    try {
      const raw = await RawClient.open(h.port)
      const opened = performance.now()
      await raw.closed
      expect(performance.now() - opened).toBeGreaterThanOrEqual(150)
    } finally {
      await h.close()
    }
  })
})
