/**
 * Per-device publish rate limit: over it, PUBACKs come later (nothing dropped, nothing acked
 * early), the connection stops being read, and the device is told on its error topic.
 * Time is a manual clock: tokens only refill when the test moves it.
 */
import type { MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, startHarness } from './harness.js'
import { RawClient, connectPacket, publishPacket } from './raw-mqtt.js'

const T0 = Date.UTC(2026, 0, 1)

function errorsOf(client: MqttClient): Array<{ error: { code: string; message: string }; limit: unknown }> {
  const out: Array<{ error: { code: string; message: string }; limit: unknown }> = []
  client.on('message', (topic, payload) => {
    if (topic === TOPICS.errors) out.push(JSON.parse(payload.toString()) as (typeof out)[number])
  })
  return out
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Real time passing with the manual clock standing still: nothing may be released meanwhile. */
const standStill = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('per-device publish rate limit', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  it('over the burst, publishes wait for tokens: later PUBACKs, in order, none lost, one GW_ERR_RATE_LIMITED notice', { timeout: 20_000 }, async () => {
    const clock = new ManualClock(T0)
    h = await startHarness({ publishRate: { perSecond: 10, burst: 5 }, now: () => clock.now() })
    const device = await h.connect('meter-1')
    const errors = errorsOf(device)
    await device.subscribeAsync(TOPICS.errors, { qos: 1 })

    const acked: number[] = []
    const sends = Array.from({ length: 8 }, (_, i) =>
      device.publishAsync(TOPICS.telemetry, JSON.stringify({ current_a: i }), { qos: 1 }).then(() => acked.push(i)),
    )
    await until(() => acked.length === 5, 'the burst to be acknowledged')
    await until(() => errors.length === 1, 'the rate-limit notice')
    await standStill(300)
    expect(acked).toEqual([0, 1, 2, 3, 4])
    expect(h.ingested).toHaveLength(5)
    expect(h.broker.stats().throttledPublishes).toBe(3)
    expect(errors[0]).toMatchObject({ error: { code: 'GW_ERR_RATE_LIMITED' }, limit: { messagesPerSecond: 10, burst: 5 } })
    expect(errors[0]?.error.message).toMatch(/10 messages\/s \(burst 5\)/)

    clock.advance(100) // one token
    await until(() => acked.length === 6, 'one more PUBACK')
    await standStill(100)
    expect(acked).toHaveLength(6)
    clock.advance(1000)
    await Promise.all(sends)
    expect(acked).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(h.ingested.map((i) => JSON.parse(i.packet.payload.toString()).current_a)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(errors).toHaveLength(1)
  })

  it('the bucket is shared by all connections of a device, not by other devices', { timeout: 20_000 }, async () => {
    const clock = new ManualClock(T0)
    h = await startHarness({ publishRate: { perSecond: 10, burst: 4 }, now: () => clock.now() })
    const a = await h.connect('meter-1', { clientId: 'a' })
    const b = await h.connect('meter-1', { clientId: 'b' })
    const other = await h.connect('meter-2')
    for (let i = 0; i < 2; i++) await a.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    for (let i = 0; i < 2; i++) await b.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    let late = false
    const waiting = b.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 }).then(() => (late = true))
    // Another device has its own bucket.
    for (let i = 0; i < 4; i++) await other.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    await standStill(200)
    expect(late).toBe(false)
    clock.advance(100)
    await waiting
  })

  it('tells the device again only after the notice interval', { timeout: 20_000 }, async () => {
    const clock = new ManualClock(T0)
    h = await startHarness({ publishRate: { perSecond: 10, burst: 1 }, now: () => clock.now() })
    const device = await h.connect('meter-1')
    const errors = errorsOf(device)
    await device.subscribeAsync(TOPICS.errors, { qos: 1 })
    await device.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    const second = device.publishAsync(TOPICS.telemetry, '{"current_a":2}', { qos: 1 })
    await until(() => errors.length === 1, 'the first notice')
    clock.advance(100)
    await second
    const third = device.publishAsync(TOPICS.telemetry, '{"current_a":3}', { qos: 1 })
    await until(() => h?.broker.stats().throttledPublishes === 1, 'the third publish to wait')
    clock.advance(100)
    await third
    expect(errors).toHaveLength(1) // throttled twice within 10 s: told once
    clock.advance(10_000)
    await device.publishAsync(TOPICS.telemetry, '{"current_a":4}', { qos: 1 }) // a fresh bucket, no wait
    const fifth = device.publishAsync(TOPICS.telemetry, '{"current_a":5}', { qos: 1 })
    await until(() => errors.length === 2, 'the second notice, 10 s later')
    clock.advance(100)
    await fifth
  })

  it('a device pipelining 8 MB of 200 KB publishes while throttled: the broker stops reading it, so what waits stays small', { timeout: 30_000 }, async () => {
    const clock = new ManualClock(T0)
    h = await startHarness({ publishRate: { perSecond: 1000, burst: 1 }, now: () => clock.now() })
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'pipe', username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(2)
    // Large packets: aedes alone would read on (one packet per socket read) and park them all.
    const payload = Buffer.alloc(200 * 1024, 0x20)
    let written = 0
    for (let id = 1; id <= 40; id++) {
      raw.socket.write(publishPacket(TOPICS.telemetry, payload, 1, id))
      written += payload.length
    }
    expect(written).toBe(8000 * 1024)
    const harness = h
    await until(() => harness.broker.stats().throttledPublishes > 0, 'the limit to bite')
    await standStill(500)
    // Only what aedes had parsed from the reads before the hold waits; the rest is in TCP buffers.
    expect(harness.broker.stats().throttledPublishes).toBeLessThanOrEqual(2)
    expect(raw.socket.writableLength).toBeGreaterThan(1024 * 1024)
    const acksBefore = raw.packets.filter((p) => p.type === 4).length
    expect(acksBefore).toBe(1)
    // Let it all through (the bucket holds one token, so the clock moves in steps): every
    // publish is acknowledged, none lost.
    const ticking = setInterval(() => clock.advance(1000), 1)
    try {
      await until(() => raw.packets.filter((p) => p.type === 4).length === 40, 'all 40 PUBACKs')
    } finally {
      clearInterval(ticking)
    }
    expect(harness.ingested).toHaveLength(40)
    raw.destroy()
  })

  it('publishes waiting when their connection is reset are dropped from the queue, never ingested (they were never acknowledged)', { timeout: 20_000 }, async () => {
    const clock = new ManualClock(T0)
    h = await startHarness({ publishRate: { perSecond: 10, burst: 1 }, now: () => clock.now() })
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'gone', username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(2)
    for (let id = 1; id <= 3; id++) raw.send(publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, id))
    const harness = h
    await until(() => harness.broker.stats().throttledPublishes >= 1, 'a publish to wait')
    // RST: a FIN would sit unread behind the held data until the publish's turn comes.
    raw.socket.resetAndDestroy()
    await until(() => harness.broker.stats().throttledPublishes === 0, 'the waiters to be dropped')
    clock.advance(10_000)
    await standStill(100)
    expect(harness.ingested).toHaveLength(1)
  })
})
