/**
 * What the broker keeps for persistent sessions is bounded: per-session queues (oldest dropped),
 * stored sessions per device, and refused subscriptions are never stored.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import type { Log } from '../../broker/broker.js'
import { ManualClock } from '../../gateway/clock.js'
import { TOPICS, deviceErrorTopic } from '../../contract/topics.js'
import { type Harness, startHarness } from './harness.js'
import { RawClient, connectPacket, subscribePacket } from './raw-mqtt.js'

/** Connects a persistent session and records every message from the first byte on. */
async function resume(port: number, clientId: string): Promise<{ client: MqttClient; sessionPresent: boolean; received: string[] }> {
  const received: string[] = []
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId, clean: false, username: 'meter-1', password: 's3cret-1', reconnectPeriod: 0 })
  client.on('message', (_topic, payload) => received.push(payload.toString()))
  const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
    client.once('connect', resolve)
    client.once('error', reject)
  })
  return { client, sessionPresent: connack.sessionPresent, received }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('bounded session queues', () => {
  let h: Harness | undefined
  const clients: MqttClient[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)))
    await h?.close()
    h = undefined
  })

  it('an offline persistent subscriber keeps only the newest maxQueuedMessages (10 MB sent, 50 kept)', { timeout: 30_000 }, async () => {
    h = await startHarness({ maxQueuedMessages: 50 })
    const first = await h.connect('meter-1', { clientId: 'offline', clean: false })
    await first.subscribeAsync(TOPICS.errors, { qos: 1 })
    await first.endAsync()
    const filler = 'x'.repeat(10 * 1024)
    for (let i = 0; i < 1000; i++) await h.broker.publish(deviceErrorTopic('meter-1'), `${i} ${filler}`, { qos: 1 })
    expect(h.broker.stats().droppedQueuedMessages).toBe(950)

    const again = await resume(h.port, 'offline')
    clients.push(again.client)
    expect(again.sessionPresent).toBe(true)
    await until(() => again.received.length >= 50, 'the queued messages')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const expected: string[] = []
    for (let i = 950; i < 1000; i++) expected.push(String(i))
    expect(again.received.map((m) => m.split(' ')[0])).toEqual(expected)
  })

  it('an online persistent subscriber that acknowledges nothing still gets every message live and stays connected', { timeout: 30_000 }, async () => {
    h = await startHarness({ maxQueuedMessages: 50 })
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'no-acks', clean: false, username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(2)
    raw.send(subscribePacket([TOPICS.errors], 1))
    await raw.waitFor(9)
    // Unacknowledged messages stay queued for redelivery; beyond 50 the oldest leave the queue,
    // which must not disconnect the client (aedes-persistence would throw "no such packet").
    const sends: Array<Promise<void>> = []
    for (let i = 0; i < 200; i++) sends.push(h.broker.publish(deviceErrorTopic('meter-1'), `m${i}`, { qos: 1 }))
    await Promise.all(sends)
    await until(() => raw.packets.filter((p) => p.type === 3).length === 200, 'all 200 PUBLISHes')
    expect(raw.socket.destroyed).toBe(false)
    expect(h.broker.stats().droppedQueuedMessages).toBe(150)
    raw.destroy()
  })

  it('the byte cap holds too: 100 KB messages under a 1 MiB cap keep the newest 10', { timeout: 30_000 }, async () => {
    h = await startHarness({ maxQueuedMessages: 1000, maxQueuedBytes: 1024 * 1024 })
    const first = await h.connect('meter-1', { clientId: 'big', clean: false })
    await first.subscribeAsync(TOPICS.errors, { qos: 1 })
    await first.endAsync()
    const filler = 'y'.repeat(100 * 1000)
    for (let i = 0; i < 100; i++) await h.broker.publish(deviceErrorTopic('meter-1'), `${i} ${filler}`, { qos: 1 })

    const again = await resume(h.port, 'big')
    clients.push(again.client)
    await until(() => again.received.length >= 10, 'the queued messages')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(again.received.map((m) => m.split(' ')[0])).toEqual(['90', '91', '92', '93', '94', '95', '96', '97', '98', '99'])
  })

  it('a device storing more than maxSessionsPerDevice persistent sessions loses its oldest ones', { timeout: 30_000 }, async () => {
    h = await startHarness({ maxSessionsPerDevice: 3 })
    for (const id of ['s0', 's1', 's2', 's3', 's4']) {
      const c = await h.connect('meter-1', { clientId: id, clean: false })
      await c.subscribeAsync(TOPICS.errors, { qos: 1 })
      await c.endAsync()
    }
    await h.broker.publish(deviceErrorTopic('meter-1'), 'one answer', { qos: 1 })
    const oldest = await resume(h.port, 's0')
    clients.push(oldest.client)
    expect(oldest.sessionPresent).toBe(false)
    const newest = await resume(h.port, 's4')
    clients.push(newest.client)
    expect(newest.sessionPresent).toBe(true)
    await until(() => newest.received.length === 1, 'the queued answer in the newest session')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(oldest.received).toEqual([])
  })
})

describe('refused subscriptions on a persistent session', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  it('are not stored, so a reconnect neither restores nor logs them again', { timeout: 30_000 }, async () => {
    const lines: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = []
    const log: Log = (_level, msg, fields) => lines.push({ msg, fields })
    h = await startHarness({ log })
    const first = await h.connect('meter-1', { clientId: 'greedy', clean: false })
    const forbidden = Array.from({ length: 100 }, (_, i) => `v1/devices/meter-2/other-${i}`)
    // mqtt.js rejects a SUBACK with any 0x80 entry, carrying the packet.
    const suback = await first.subscribeAsync([TOPICS.errors, ...forbidden], { qos: 1 }).then(
      () => undefined,
      (error: { packet?: { granted?: number[] } }) => error.packet,
    )
    expect(suback?.granted?.filter((g) => g === 128)).toHaveLength(100)
    expect(suback?.granted?.[0]).toBe(1)
    await first.endAsync()
    lines.length = 0

    const again = await resume(h.port, 'greedy')
    try {
      expect(again.sessionPresent).toBe(true)
      // The granted subscription was restored: it still delivers (QoS 1: a message published
      // right after CONNACK may come twice, live and from the session queue).
      await h.broker.publish(deviceErrorTopic('meter-1'), 'still subscribed', { qos: 1 })
      await until(() => again.received.length >= 1, 'delivery on the restored subscription')
      expect(again.received[0]).toBe('still subscribed')
      expect(lines.filter((l) => l.msg === 'subscription refused')).toEqual([])
    } finally {
      await again.client.endAsync(true)
    }
  })

  it('repeated refusals log one line per device a minute, then one line with the count suppressed', { timeout: 30_000 }, async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const lines: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = []
    h = await startHarness({ log: (_level, msg, fields) => lines.push({ msg, fields }), now: () => clock.now() })
    const device = await h.connect('meter-1')
    const refuse = (topic: string) => device.subscribeAsync(topic, { qos: 1 }).catch(() => undefined) // SUBACK 0x80
    for (let i = 0; i < 100; i++) await refuse(`v1/devices/meter-2/x-${i}`)
    expect(lines.filter((l) => l.msg === 'subscription refused')).toHaveLength(1)
    clock.advance(60_000)
    await refuse('v1/devices/meter-2/late')
    const refused = lines.filter((l) => l.msg === 'subscription refused')
    expect(refused).toHaveLength(2)
    expect(refused[1]?.fields).toMatchObject({ deviceId: 'meter-1', suppressed: 99 })
  })
})
