/**
 * What "duplicate" means (issue 8, "Readings acknowledged and then silently dropped"):
 * the same reading (same key and same value) or the same seq within one counter epoch.
 * Everything else that was acknowledged is stored: timestamp-less bursts, a seq counter
 * that restarted, and a conflicting re-send (kept and flagged). Real broker over TCP, real
 * clients, real SQLite; time from a manual clock.
 */
import { spawn } from 'node:child_process'
import { connect as netConnect, type Socket } from 'node:net'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { generate, parser, type IPublishPacket, type Packet } from 'mqtt-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
let jobCounter = 0
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

async function jobFor(deviceId: string): Promise<string> {
  const id = `dd-job-${++jobCounter}`
  expect((await h.api('POST', '/api/v1/jobs', { id, rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await h.api('POST', `/api/v1/jobs/${id}/devices`, { deviceId, at: T0 - 86_400_000 })).status).toBe(201)
  return id
}

interface ReadingsBody {
  points: [number, number][]
  conflicts: { deviceId: string; ts: number; value: number; receivedAt: number; others: { value: number; receivedAt: number }[] }[]
}

async function readings(jobId: string, channel = 'current_a'): Promise<ReadingsBody> {
  const res = await h.api<ReadingsBody>('GET', `/api/v1/jobs/${jobId}/readings?channel=${channel}&to=${T0 + 86_400_000}`)
  expect(res.status).toBe(200)
  return res.body
}

/** Rows as SQLite holds them (a second, read-only connection: WAL lets it read beside the gateway). */
function rows(deviceId: string): { ts: number; value: number; received_at: number }[] {
  const db = new Database(join(h.dataDir, 'gateway.db'), { readonly: true })
  try {
    return db.prepare('SELECT ts, value, received_at FROM readings WHERE device_id = ? ORDER BY ts').all(deviceId) as never
  } finally {
    db.close()
  }
}

/** A raw MQTT 3.1.1 session, so several PUBLISH packets can go out in one TCP write. */
async function rawSession(deviceId: string, secret: string): Promise<{ sock: Socket; acks: number[]; send(packets: Packet[]): void }> {
  const sock = netConnect(h.gateway.mqttPort, '127.0.0.1')
  const acks: number[] = []
  let connacked = false
  const p = parser()
  p.on('packet', (pkt: Packet) => {
    if (pkt.cmd === 'connack') connacked = true
    if (pkt.cmd === 'puback') acks.push(pkt.messageId!)
  })
  sock.on('data', (d) => p.parse(d))
  const send = (packets: Packet[]) => sock.write(Buffer.concat(packets.map((pkt) => generate(pkt))))
  send([{ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `raw-${deviceId}`, keepalive: 30, username: deviceId, password: Buffer.from(secret) }])
  await waitFor(() => connacked, 'CONNACK')
  return { sock, acks, send }
}

const flat = (messageId: number, body: object, dup = false): IPublishPacket => ({
  cmd: 'publish',
  topic: 'v1/devices/me/telemetry',
  payload: Buffer.from(JSON.stringify(body)),
  qos: 1,
  messageId,
  dup,
  retain: false,
})

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

describe('timestamp-less readings', () => {
  it('a burst in one TCP write: every acknowledged reading is stored, in order, each with the real receive time', async () => {
    const secret = await h.register('burst-1')
    const job = await jobFor('burst-1')
    const s = await rawSession('burst-1', secret)
    const values = [5.1, 5.2, 5.3, 5.4, 5.5, 5.6, 5.7, 5.8]
    s.send(values.map((v, i) => flat(i + 1, { current_a: v })))
    await waitFor(() => s.acks.length === values.length, 'a PUBACK for each message')
    s.sock.destroy()
    // The clock did not move: one receive time; device times made strictly increasing (+1 ms) in arrival order.
    expect((await readings(job)).points).toEqual(values.map((v, i) => [T0 + i, v]))
    expect(rows('burst-1').map((r) => r.received_at)).toEqual(values.map(() => T0))
  })

  it('mosquitto_pub -l (Debian mosquitto-clients), one message per line at QoS 1: every line is a reading, in order', async () => {
    const secret = await h.register('burst-mq')
    const job = await jobFor('burst-mq')
    const values = [3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 3.9, 4.0]
    const pub = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(h.gateway.mqttPort), '-u', 'burst-mq', '-P', secret, '-q', '1', '-t', 'v1/devices/me/telemetry', '-l'])
    pub.stdin.end(values.map((v) => JSON.stringify({ current_a: v })).join('\n') + '\n')
    const code = await new Promise((resolve) => pub.once('exit', resolve))
    expect(code).toBe(0) // mosquitto_pub exits once every message is acknowledged
    expect((await readings(job)).points).toEqual(values.map((v, i) => [T0 + i, v]))
  })

  it('flat items of one array each get their own device time, in order', async () => {
    const secret = await h.register('burst-arr')
    const job = await jobFor('burst-arr')
    const c = await h.connect('burst-arr', secret)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ current_a: 1.5 }, { current_a: 1.6 }, { current_a: 1.7 }]), { qos: 1 })
    expect((await readings(job)).points).toEqual([[T0, 1.5], [T0 + 1, 1.6], [T0 + 2, 1.7]])
  })

  it('timestamp-less messages of a bridge: each meter its own strictly increasing device times', async () => {
    await h.register('burst-b1')
    await h.register('burst-b2')
    const secret = await h.register('burst-bridge', 'bridge', ['burst-b1', 'burst-b2'])
    const [job1, job2] = [await jobFor('burst-b1'), await jobFor('burst-b2')]
    const s = await rawSession('burst-bridge', secret)
    const bridged = (id: number, a: number, b: number): IPublishPacket => ({ ...flat(id, {}), topic: 'v1/gateway/telemetry', payload: Buffer.from(JSON.stringify({ 'burst-b1': { current_a: a }, 'burst-b2': { current_a: b } })) })
    s.send([bridged(1, 1.1, 2.1), bridged(2, 1.2, 2.2), bridged(3, 1.3, 2.3)])
    await waitFor(() => s.acks.length === 3, 'three PUBACKs')
    s.send([{ ...bridged(2, 1.2, 2.2), dup: true }]) // a redelivery: the same device times again
    await waitFor(() => s.acks.length === 4, 'four PUBACKs')
    s.sock.destroy()
    expect((await readings(job1)).points).toEqual([[T0, 1.1], [T0 + 1, 1.2], [T0 + 2, 1.3]])
    expect((await readings(job2)).points).toEqual([[T0, 2.1], [T0 + 1, 2.2], [T0 + 2, 2.3]])
    expect((await readings(job1)).conflicts).toEqual([])
  })

  it('a QoS 1 redelivery (DUP) of a burst message keeps its first device time: an exact duplicate, nothing stored twice', async () => {
    const secret = await h.register('burst-dup')
    const job = await jobFor('burst-dup')
    const s = await rawSession('burst-dup', secret)
    s.send([flat(1, { current_a: 2.1 }), flat(2, { current_a: 2.2 }), flat(3, { current_a: 2.3 })])
    await waitFor(() => s.acks.length === 3, 'three PUBACKs')
    clock.advance(1500)
    const before = h.gateway.ingest!.counters.duplicates
    s.send([flat(2, { current_a: 2.2 }, true), flat(4, { current_a: 2.4 })])
    await waitFor(() => s.acks.length === 5, 'five PUBACKs')
    s.sock.destroy()
    expect((await readings(job)).points).toEqual([[T0, 2.1], [T0 + 1, 2.2], [T0 + 2, 2.3], [T0 + 1500, 2.4]])
    expect(h.gateway.ingest!.counters.duplicates - before).toBe(1)
    clock.set(T0)
  })
})

describe('seq counter epochs', () => {
  it('a counter that restarts (firmware reboot) starts a new epoch: every later sample is stored', async () => {
    const secret = await h.register('seq-reboot')
    const job = await jobFor('seq-reboot')
    const c = await h.connect('seq-reboot', secret)
    const sent: [number, number][] = []
    for (let seq = 1; seq <= 5; seq++) {
      const ts = T0 - 60_000 + seq * 1000
      sent.push([ts, seq])
      await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, seq, values: { current_a: seq } }), { qos: 1 })
    }
    // Reboot: seq starts again at 0 with new device times.
    for (let seq = 0; seq <= 3; seq++) {
      const ts = T0 - 30_000 + seq * 1000
      sent.push([ts, seq + 10])
      await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, seq, values: { current_a: seq + 10 } }), { qos: 1 })
    }
    expect((await readings(job)).points).toEqual(sent)
  })

  it('the same seq again within an epoch is a duplicate, even re-stamped; in a batched array too', async () => {
    const secret = await h.register('seq-dup')
    const job = await jobFor('seq-dup')
    const c = await h.connect('seq-dup', secret)
    const before = h.gateway.ingest!.counters.duplicates
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts: T0 - 3000, seq: 7, values: { current_a: 1 } }, { ts: T0 - 2000, seq: 8, values: { current_a: 2 } }]), { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 1000, seq: 8, values: { current_a: 2 } }), { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 500, seq: 9, values: { current_a: 3 } }), { qos: 1 })
    expect((await readings(job)).points).toEqual([[T0 - 3000, 1], [T0 - 2000, 2], [T0 - 500, 3]])
    expect(h.gateway.ingest!.counters.duplicates - before).toBe(1)
  })
})

describe('conflicting re-sends', () => {
  it('same device, channel and device time with a different value: kept, flagged, counted, and the device is told (rate-limited)', async () => {
    const secret = await h.register('conflict-1')
    const job = await jobFor('conflict-1')
    const c = await h.connect('conflict-1', secret)
    const notices: { error: { code: string; message: string; details: string[] } }[] = []
    c.on('message', (_t, m) => notices.push(JSON.parse(m.toString())))
    await c.subscribeAsync('v1/devices/me/errors', { qos: 1 })
    const ts = T0 - 10_000
    const before = { ...h.gateway.ingest!.counters }
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: 4.2 } }), { qos: 1 })
    clock.advance(100)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: 4.7 } }), { qos: 1 })
    clock.advance(100)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: 4.7 } }), { qos: 1 }) // the conflict re-sent: a duplicate
    clock.advance(100)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: 5.0 } }), { qos: 1 })

    const body = await readings(job)
    expect(body.points).toEqual([[ts, 4.2]]) // the first value stays the point; the others are beside it
    expect(body.conflicts).toEqual([{ deviceId: 'conflict-1', ts, value: 4.2, receivedAt: T0, others: [{ value: 4.7, receivedAt: T0 + 100 }, { value: 5.0, receivedAt: T0 + 300 }] }])
    const after = h.gateway.ingest!.counters
    expect(after.readingsStored - before.readingsStored).toBe(1)
    expect(after.conflicts - before.conflicts).toBe(2)
    expect(after.duplicates - before.duplicates).toBe(1)
    expect(after.quarantined - before.quarantined).toBe(0)

    await waitFor(() => notices.length >= 1, 'the conflict notice')
    expect(notices[0]!.error.code).toBe('GW_ERR_CONFLICT')
    expect(notices[0]!.error.details[0]).toMatch(/current_a at .*: 4\.2 stored first, 4\.7 now/)
    // Within 10 s: counted, not told again; the next one after the window says how many there were.
    clock.advance(10_000)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: 5.5 } }), { qos: 1 })
    await waitFor(() => notices.length >= 2, 'the second conflict notice')
    expect(notices).toHaveLength(2)
    expect(notices[1]!.error.message).toMatch(/^2 reading\(s\) re-sent/)
    clock.set(T0)
  })

  it('the verdict that uses a conflicting reading flags it for a reviewer', async () => {
    const secret = await h.register('conflict-v')
    const job = await jobFor('conflict-v')
    expect((await h.api('POST', `/api/v1/jobs/${job}/steps/power_test/start`, { at: T0 - 120_000 })).status).toBe(201)
    const c = await h.connect('conflict-v', secret)
    const samples = []
    for (let i = 0; i <= 20; i++) samples.push({ ts: T0 - 120_000 + i * 5000, values: { current_a: 0.3 } })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify(samples), { qos: 1 })
    await h.gateway.monitor!.settled()
    const clean = (await h.api<Verdict>('GET', `/api/v1/jobs/${job}/verdict`)).body
    expect(clean.steps.find((s) => s.id === 'power_test')!.checks.map((x) => x.id)).not.toContain('reading_conflicts')

    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 60_000, values: { current_a: 0.9 } }), { qos: 1 })
    await h.gateway.monitor!.settled()
    const flagged = (await h.api<Verdict>('GET', `/api/v1/jobs/${job}/verdict`)).body
    const check = flagged.steps.find((s) => s.id === 'power_test')!.checks.find((x) => x.id === 'reading_conflicts')
    expect(check).toMatchObject({ status: 'warn', measured: 1, evidence: [{ channel: 'current_a', from: T0 - 60_000, to: T0 - 60_000 }] })
    expect(check!.message).toMatch(/conflict-v current_a at .*: 0\.3 .*0\.9/)
  })
})
