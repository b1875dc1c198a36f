/**
 * Hostile-input cases of the ingest's dedupe state (issue 8, "Tests and figures"): a device
 * that floods timestamp-less bursts, one whose seq counter restarts every few samples (a
 * reboot loop), and one that re-sends a single device time with ever new values. Each must
 * keep every acknowledged reading, answer with bounded notices, and leave the gateway
 * serving a device connected before and one connected after, within a stated memory bound.
 * Counts stay under the broker's per-device burst so a publish rate limit does not stretch them.
 */
import { connect as netConnect } from 'node:net'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { generate, parser, type Packet } from 'mqtt-packet'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const clock = new ManualClock(T0)
const N = 800
/** RSS growth allowed per case: the state is a few numbers per device; readings go to SQLite. */
const RSS_BOUND_MB = 64
let h: Harness
let before: MqttClient
let counter = 0

beforeAll(async () => {
  h = await startHarness({ clock })
  before = await h.connect('fl-before', await h.register('fl-before'))
})
afterAll(async () => {
  await h.close()
})

function count(deviceId: string): number {
  const db = new Database(join(h.dataDir, 'gateway.db'), { readonly: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM readings WHERE device_id = ?').get(deviceId) as { n: number }).n
  } finally {
    db.close()
  }
}

/** Runs a flood and checks what every case must: others still served at QoS 1, memory bounded. */
async function flood(run: () => Promise<void>): Promise<void> {
  const rss0 = process.memoryUsage().rss
  await run()
  await before.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 1000 + ++counter, values: { voltage_v: 230 } }), { qos: 1 })
  const afterId = `fl-after-${counter}`
  const after = await h.connect(afterId, await h.register(afterId))
  await after.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 1000, values: { voltage_v: 231 } }), { qos: 1 })
  expect(count(afterId)).toBe(1)
  expect((process.memoryUsage().rss - rss0) / 2 ** 20).toBeLessThan(RSS_BOUND_MB)
}

it(`${N} timestamp-less messages in bursts of 100 per TCP write: ${N} readings`, async () => {
  const secret = await h.register('fl-flat')
  await flood(async () => {
    const sock = netConnect(h.gateway.mqttPort, '127.0.0.1')
    let acks = 0
    let connacked = false
    const p = parser()
    p.on('packet', (pkt: Packet) => {
      if (pkt.cmd === 'connack') connacked = true
      if (pkt.cmd === 'puback') acks++
    })
    sock.on('data', (d) => p.parse(d))
    sock.write(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'fl-flat', keepalive: 30, username: 'fl-flat', password: Buffer.from(secret) }))
    // After CONNACK: aedes closes a connection that queues more than 42 packets (queueLimit) before it is authenticated.
    await waitFor(() => connacked, 'CONNACK')
    for (let b = 0; b < N / 100; b++) {
      const packets: Buffer[] = []
      for (let j = 1; j <= 100; j++) {
        const payload = Buffer.from(JSON.stringify({ current_a: 1 + (b * 100 + j) / 1000 }))
        packets.push(generate({ cmd: 'publish', topic: 'v1/devices/me/telemetry', payload, qos: 1, messageId: b * 100 + j, dup: false, retain: false }))
      }
      sock.write(Buffer.concat(packets))
    }
    await waitFor(() => acks === N, `${N} PUBACKs`, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${acks} came`)
    })
    sock.destroy()
  })
  expect(count('fl-flat')).toBe(N)
})

it(`a reboot loop: seq restarts every 7 samples over ${N} samples, all stored`, async () => {
  const c = await h.connect('fl-seq', await h.register('fl-seq'))
  await flood(async () => {
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < N; i++) pending.push(c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 600_000 + i, seq: i % 7, values: { current_a: 2 } }), { qos: 1 }))
    await Promise.all(pending)
  })
  expect(count('fl-seq')).toBe(N)
})

it(`one device time re-sent with ${N} different values: all kept, one notice, a bounded listing`, async () => {
  const c = await h.connect('fl-conflict', await h.register('fl-conflict'))
  const notices: Buffer[] = []
  c.on('message', (_t, m) => notices.push(m))
  await c.subscribeAsync('v1/devices/me/errors', { qos: 1 })
  const job = 'fl-job'
  const unit = { model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 5, type: 'split' }
  expect((await h.api('POST', '/api/v1/jobs', { id: job, rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await h.api('POST', `/api/v1/jobs/${job}/devices`, { deviceId: 'fl-conflict', at: T0 - 86_400_000 })).status).toBe(201)
  const conflictsBefore = h.gateway.ingest!.counters.conflicts
  await flood(async () => {
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < N; i++) pending.push(c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 5000, values: { current_a: 1 + i / 1000 } }), { qos: 1 }))
    await Promise.all(pending)
  })
  expect(h.gateway.ingest!.counters.conflicts - conflictsBefore).toBe(N - 1)
  const db = new Database(join(h.dataDir, 'gateway.db'), { readonly: true })
  expect(db.prepare("SELECT COUNT(*) AS n FROM readings_conflicts WHERE device_id = 'fl-conflict'").get()).toEqual({ n: N - 1 })
  db.close()
  const res = await h.api<{ points: unknown[]; conflicts: { others: unknown[]; truncated?: boolean }[] }>('GET', `/api/v1/jobs/${job}/readings?channel=current_a&to=${T0}`)
  expect(res.body.points).toEqual([[T0 - 5000, 1]])
  expect(res.body.conflicts[0]!.others).toHaveLength(20)
  expect(res.body.conflicts[0]!.truncated).toBe(true)
  await waitFor(() => notices.length >= 1, 'the conflict notice')
  await before.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 1, values: { voltage_v: 230 } }), { qos: 1 }) // let any further notice arrive
  expect(notices).toHaveLength(1) // the clock did not move: one notice per 10 s
  expect(notices[0]!.length).toBeLessThan(2048)
})
