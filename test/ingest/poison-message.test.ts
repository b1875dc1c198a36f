/**
 * A poison message (issue 8): a 256 KiB array of 128k numbers used to throw out of the ingest
 * (a 128k-argument spread overflows the stack), so it was never acknowledged, the connection
 * dropped, a persistent session redelivered it forever and readings behind it were never
 * acknowledged. Now it is quarantined, answered with a bounded error and acknowledged.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { TOPICS } from '../../contract/topics.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const clock = new ManualClock(T0)
let h: Harness

interface QuarantineListing {
  items: { id: number; code: string; reason: string; rawBytes?: number }[]
}

/** 128,000 numbers, 256,001 bytes: under GW_MAX_PACKET_BYTES (256 KiB) with the topic and header. */
function numberArray(n: number): string {
  return `[${'1,'.repeat(n - 1)}1]`
}

/** Resolves on PUBACK; rejects at once if the gateway closes the connection instead. */
function publishAcked(client: MqttClient, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('connection closed before PUBACK'))
    client.once('close', onClose)
    client.publishAsync(TOPICS.telemetry, payload, { qos: 1 }).then(
      () => {
        client.off('close', onClose)
        resolve()
      },
      (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
    )
  })
}

function errorsOf(client: MqttClient): Buffer[] {
  const got: Buffer[] = []
  client.on('message', (topic, payload) => {
    if (topic === TOPICS.errors) got.push(payload)
  })
  return got
}

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

describe('a 256 KiB array of 128k numbers', () => {
  it('is acknowledged, quarantined with a bounded reason, answered with a bounded error; the session goes on', async () => {
    const secret = await h.register('poison-1')
    const c = await h.connect('poison-1', secret, { clientId: 'poison-1-session', clean: false })
    await c.subscribeAsync(TOPICS.errors, { qos: 1 })
    const errors = errorsOf(c)
    let closes = 0
    c.on('close', () => closes++)
    const payload = numberArray(128_000)
    expect(payload.length).toBe(256_001)

    const started = performance.now()
    await publishAcked(c, payload)
    const ms = performance.now() - started
    console.log(`256 KiB poison message (128k numbers) acknowledged in ${ms.toFixed(0)} ms`)
    // A valid reading queued right behind it is acknowledged and stored too.
    await c.publishAsync(TOPICS.telemetry, JSON.stringify({ ts: T0 - 1000, values: { current_a: 5 } }), { qos: 1 })
    expect(closes).toBe(0)
    expect(c.connected).toBe(true)

    const q = await h.api<QuarantineListing>('GET', '/api/v1/quarantine?deviceId=poison-1')
    expect(q.status).toBe(200)
    expect(q.body.items).toHaveLength(1)
    const item = q.body.items[0]!
    expect(item.code).toBe('GW_ERR_TOO_LARGE')
    expect(item.reason).toMatch(/128000 samples.*at most 10000/)
    expect(item.reason.length).toBeLessThan(8 * 1024)

    await waitFor(() => errors.length === 1, 'the error answer')
    expect(errors[0]!.length).toBeLessThan(8 * 1024)
    const answer = JSON.parse(errors[0]!.toString()) as { quarantineId: number; error: { code: string; details: string[] } }
    expect(answer.quarantineId).toBe(item.id)
    expect(answer.error.code).toBe('GW_ERR_TOO_LARGE')

    expect(h.gateway.ingest!.counters.readingsStored).toBe(1)
  })

  it('a persistent session is not redelivered anything after reconnecting: it was acknowledged once', async () => {
    const secret = await h.register('poison-2')
    const c = await h.connect('poison-2', secret, { clientId: 'poison-2-session', clean: false })
    await publishAcked(c, numberArray(128_000))
    await c.endAsync()
    const before = h.gateway.ingest!.counters.messages
    const again = await h.connect('poison-2', secret, { clientId: 'poison-2-session', clean: false })
    await again.publishAsync(TOPICS.telemetry, JSON.stringify({ ts: T0 - 500, values: { current_a: 6 } }), { qos: 1 })
    // Only the new reading arrived: mqtt.js has nothing in flight to resend.
    expect(h.gateway.ingest!.counters.messages - before).toBe(1)
    const q = await h.api<QuarantineListing>('GET', '/api/v1/quarantine?deviceId=poison-2')
    expect(q.body.items).toHaveLength(1)
  })
})

describe('pipelined behind the poison message', () => {
  it('valid readings sent right behind it, without waiting, are each acknowledged and stored', async () => {
    const c = await h.connect('poison-3', await h.register('poison-3'), { clientId: 'poison-3-session', clean: false })
    const storedBefore = h.gateway.ingest!.counters.readingsStored
    const acks: Promise<void>[] = [publishAcked(c, numberArray(128_000))]
    for (let i = 0; i < 20; i++) acks.push(publishAcked(c, JSON.stringify({ ts: T0 - 5000 + i, values: { current_a: i } })))
    acks.push(publishAcked(c, numberArray(128_000)))
    await Promise.all(acks)
    expect(h.gateway.ingest!.counters.readingsStored - storedBefore).toBe(20)
    const q = await h.api<QuarantineListing>('GET', '/api/v1/quarantine?deviceId=poison-3')
    expect(q.body.items).toHaveLength(2)
  })

  it('handling time of the 256 KiB poison message, 20 in a row (reported; bounded generously)', async () => {
    const c = await h.connect('poison-4', await h.register('poison-4'))
    const payload = numberArray(128_000)
    const times: number[] = []
    for (let i = 0; i < 20; i++) {
      const t = performance.now()
      await publishAcked(c, payload)
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    console.log(`256 KiB poison message, publish to PUBACK over loopback: median ${times[10]!.toFixed(1)} ms, max ${times[19]!.toFixed(1)} ms`)
    expect(times[19]).toBeLessThan(5000)
  })
})

describe('from mosquitto_pub (Debian mosquitto-clients), persistent session', () => {
  it('the 128k-number message is acknowledged (mosquitto_pub -q 1 exits 0 only after PUBACK) and quarantined', async () => {
    const secret = await h.register('poison-mq')
    const file = join(h.dataDir, 'poison-128k.json')
    writeFileSync(file, numberArray(128_000))
    const args = ['-h', '127.0.0.1', '-p', String(h.gateway.mqttPort), '-u', 'poison-mq', '-P', secret, '-q', '1', '-c', '-i', 'poison-mq-1']
    await promisify(execFile)('mosquitto_pub', [...args, '-t', TOPICS.telemetry, '-f', file], { timeout: 10_000 })
    await promisify(execFile)('mosquitto_pub', [...args, '-t', TOPICS.telemetry, '-m', JSON.stringify({ ts: T0 - 10, values: { current_a: 2 } })], {
      timeout: 10_000,
    })
    const q = await h.api<QuarantineListing>('GET', '/api/v1/quarantine?deviceId=poison-mq')
    expect(q.body.items.map((i) => i.code)).toEqual(['GW_ERR_TOO_LARGE'])
  })
})

describe('the limits are configured', () => {
  it('GW_MAX_SAMPLES_PER_MESSAGE and GW_MAX_VALUES_PER_SAMPLE are what the ingest applies', async () => {
    const small = await startHarness({ clock, env: { GW_MAX_SAMPLES_PER_MESSAGE: '3', GW_MAX_VALUES_PER_SAMPLE: '2' } })
    try {
      const secret = await small.register('limits-1')
      const c = await small.connect('limits-1', secret)
      const sample = (i: number) => ({ ts: T0 - 1000 + i, values: { current_a: i } })
      await publishAcked(c, JSON.stringify([sample(1), sample(2), sample(3)]))
      await publishAcked(c, JSON.stringify([sample(4), sample(5), sample(6), sample(7)]))
      await publishAcked(c, JSON.stringify({ ts: T0, values: { current_a: 1, voltage_v: 230, power_w: 1000 } }))
      expect(small.gateway.ingest!.counters.readingsStored).toBe(3)
      const q = await small.api<QuarantineListing>('GET', '/api/v1/quarantine?deviceId=limits-1')
      expect(q.body.items.map((i) => i.reason)).toEqual([
        'payload.values: 3 values in one sample; at most 2 are accepted (GW_MAX_VALUES_PER_SAMPLE)',
        'payload: 4 samples in one message; at most 3 are accepted (GW_MAX_SAMPLES_PER_MESSAGE): send them in several messages',
      ])
    } finally {
      await small.close()
    }
  })
})
