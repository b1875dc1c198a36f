/**
 * Acknowledged means stored: the gateway, a real child process, is killed with SIGKILL
 * right after PUBACKs while every ingest shape is in flight at once (single readings,
 * batched arrays, the gateway API of a bridge, bursts of timestamp-less messages in one TCP
 * write, seq'd samples with counter restarts); it starts again on the same data dir, takes
 * a second round of the same load, is killed again, and every reading that was ever
 * acknowledged must be in SQLite.
 *
 * GW_SYNC=normal: SIGKILL ends the process, not the machine. With WAL and synchronous=NORMAL
 * a commit is in the OS page cache before the PUBACK, which survives a process crash; only
 * power loss needs GW_SYNC=full, and that cannot be produced here.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { generate, parser, type Packet } from 'mqtt-packet'
import { afterAll, expect, it } from 'vitest'
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js'

const dataDir = mkdtempSync(join(tmpdir(), 'gw-kill-'))
const running: GatewayProcess[] = []
afterAll(async () => {
  for (const g of running) await g.kill()
  rmSync(dataDir, { recursive: true, force: true })
})

async function start(): Promise<GatewayProcess> {
  const g = await startGatewayProcess(dataDir, { GW_SYNC: 'normal' })
  running.push(g)
  return g
}

const T0 = Date.now() - 3_600_000
const TOPIC = 'v1/devices/me/telemetry'
const DEVICES = ['dur-single', 'dur-batch', 'dur-g1', 'dur-g2', 'dur-flat', 'dur-seq'] as const

/** Every acknowledged reading, as `device|channel|ts|value`; timestamp-less ones as `device|channel|*|value`. */
const acked = new Set<string>()
const key = (device: string, channel: string, ts: number | '*', value: number) => `${device}|${channel}|${ts}|${value}`

interface Shape {
  name: string
  messages: number
  acks: number
}

/** One round: all shapes at once; SIGKILL as soon as each has half its messages acknowledged. */
async function round(g: GatewayProcess, secrets: Record<string, string>, r: number): Promise<Shape[]> {
  const clients: MqttClient[] = []
  const connect = async (id: string) => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${g.mqttPort}`, { username: id, password: secrets[id]!, clientId: `${id}-${r}`, reconnectPeriod: 0 })
    c.on('error', () => {}) // the kill ends the connection
    clients.push(c)
    return c
  }
  const shapes: Shape[] = []
  let killed = false
  let resolveKilled!: () => void
  let rejectKilled!: (err: Error) => void
  const killedNow = new Promise<void>((resolve, reject) => ((resolveKilled = resolve), (rejectKilled = reject)))
  const ack = (shape: Shape, keys: string[]) => {
    for (const k of keys) acked.add(k)
    shape.acks++
    if (!killed && shapes.every((s) => s.acks * 2 >= s.messages)) {
      killed = true
      g.child.kill('SIGKILL') // right after these PUBACKs: no chance to flush anything
      resolveKilled()
    }
  }
  const shape = (name: string, messages: number): Shape => {
    const s = { name, messages, acks: 0 }
    shapes.push(s)
    return s
  }
  const base = T0 + r * 1_000_000 // each round its own device times

  const single = await connect('dur-single')
  const batch = await connect('dur-batch')
  const bridge = await connect('dur-bridge')
  const seq = await connect('dur-seq')
  const flat = await rawSession(g.mqttPort, 'dur-flat', secrets['dur-flat']!)

  const singles = shape('single', 600)
  for (let i = 0; i < singles.messages; i++) {
    const ts = base + i
    const v = 1 + (i % 50) / 10
    single.publish(TOPIC, JSON.stringify({ ts, values: { current_a: v } }), { qos: 1 }, (err) => err || ack(singles, [key('dur-single', 'current_a', ts, v)]))
  }
  const batches = shape('batched', 60)
  for (let m = 0; m < batches.messages; m++) {
    const samples = []
    const keys: string[] = []
    for (let j = 0; j < 10; j++) {
      const ts = base + m * 10 + j
      samples.push({ ts, values: { current_a: 2 + j / 10, voltage_v: 220 + j } })
      keys.push(key('dur-batch', 'current_a', ts, 2 + j / 10), key('dur-batch', 'voltage_v', ts, 220 + j))
    }
    batch.publish(TOPIC, JSON.stringify(samples), { qos: 1 }, (err) => err || ack(batches, keys))
  }
  const bridged = shape('gateway API', 60)
  for (let m = 0; m < bridged.messages; m++) {
    const body: Record<string, unknown[]> = {}
    const keys: string[] = []
    for (const d of ['dur-g1', 'dur-g2']) {
      body[d] = []
      for (let j = 0; j < 5; j++) {
        const ts = base + m * 5 + j
        body[d].push({ ts, values: { temp_pipe_c: 10 + j } })
        keys.push(key(d, 'temp_pipe_c', ts, 10 + j))
      }
    }
    bridge.publish('v1/gateway/telemetry', JSON.stringify(body), { qos: 1 }, (err) => err || ack(bridged, keys))
  }
  const seqd = shape("seq'd", 600)
  for (let i = 0; i < seqd.messages; i++) {
    const ts = base + i
    const v = 200 + (i % 40)
    // The counter restarts every 250 samples (a firmware reboot): each restart is a new epoch.
    seq.publish(TOPIC, JSON.stringify({ ts, seq: (r * 600 + i) % 250, values: { voltage_v: v } }), { qos: 1 }, (err) => err || ack(seqd, [key('dur-seq', 'voltage_v', ts, v)]))
  }
  const flats = shape('timestamp-less bursts', 600)
  const flatValue = (id: number) => 1 + (r * 600 + id) / 1000 // unique per message: identifies it without a device time
  flat.onAck = (id) => ack(flats, [key('dur-flat', 'current_a', '*', flatValue(id))])
  for (let b = 0; b < 30; b++) {
    const packets: Packet[] = []
    for (let j = 1; j <= 20; j++) {
      const id = b * 20 + j
      packets.push({ cmd: 'publish', topic: TOPIC, payload: Buffer.from(JSON.stringify({ current_a: flatValue(id) })), qos: 1, messageId: id, dup: false, retain: false })
    }
    flat.write(packets) // 20 PUBLISH packets in one TCP write
  }

  // Generous: the point is what was acknowledged, not how fast.
  const timeout = setTimeout(() => rejectKilled(new Error(`no kill: acks ${shapes.map((s) => `${s.name} ${s.acks}/${s.messages}`).join(', ')}; stderr: ${g.stderr()}`)), 20_000)
  await killedNow
  clearTimeout(timeout)
  await g.kill()
  running.splice(running.indexOf(g), 1)
  for (const c of clients) c.end(true)
  flat.destroy()
  return shapes
}

/** A raw MQTT 3.1.1 session, so several PUBLISH packets go out in one TCP write. */
async function rawSession(port: number, id: string, secret: string) {
  const sock = netConnect(port, '127.0.0.1')
  sock.on('error', () => {})
  const session = { onAck: (_id: number) => {}, write: (ps: Packet[]) => sock.write(Buffer.concat(ps.map((p) => generate(p)))), destroy: () => sock.destroy() }
  const p = parser()
  let connacked: () => void
  const ready = new Promise<void>((resolve) => (connacked = resolve))
  p.on('packet', (pkt: Packet) => {
    if (pkt.cmd === 'connack') connacked()
    if (pkt.cmd === 'puback') session.onAck(pkt.messageId!)
  })
  sock.on('data', (d) => p.parse(d))
  session.write([{ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `${id}-raw`, keepalive: 30, username: id, password: Buffer.from(secret) }])
  await ready
  return session
}

/** Every reading in SQLite, in the same key form (timestamp-less device: its device times are the gateway's). */
function storedKeys(): Set<string> {
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true })
  try {
    const out = new Set<string>()
    for (const row of db.prepare('SELECT device_id, channel, ts, value FROM readings').iterate() as Iterable<{ device_id: string; channel: string; ts: number; value: number }>) {
      out.add(key(row.device_id, row.channel, row.device_id === 'dur-flat' ? '*' : row.ts, row.value))
    }
    return out
  } finally {
    db.close()
  }
}

it('every reading acknowledged at QoS 1, in every ingest shape, survives SIGKILL and a restart (twice)', async () => {
  const first = await start()
  const secrets: Record<string, string> = {}
  for (const id of DEVICES) {
    const res = await first.api<{ secret: string }>('POST', '/api/v1/devices', { id, kind: 'meter' })
    expect(res.status).toBe(201)
    secrets[id] = res.body.secret
  }
  const b = await first.api<{ secret: string }>('POST', '/api/v1/devices', { id: 'dur-bridge', kind: 'bridge', bridgeFor: ['dur-g1', 'dur-g2'] })
  secrets['dur-bridge'] = b.body.secret
  const unit = { model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 5, type: 'split' }
  expect((await first.api('POST', '/api/v1/jobs', { id: 'dur-job', rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await first.api('POST', '/api/v1/jobs/dur-job/devices', { deviceId: 'dur-single', at: 1 })).status).toBe(201)

  const round1 = await round(first, secrets, 0)
  const second = await start()
  const round2 = await round(second, secrets, 1)
  const third = await start()

  for (const s of [...round1, ...round2]) expect(s.acks, `${s.name}: acknowledged before the kill`).toBeGreaterThanOrEqual(s.messages / 2)
  const stored = storedKeys()
  const lost = [...acked].filter((k) => !stored.has(k))
  expect(lost).toEqual([])
  expect(acked.size).toBeGreaterThan(3000)

  // The restarted gateway serves them too: the job's readings of the single-reading meter.
  const res = await third.api<{ points: [number, number][] }>('GET', `/api/v1/jobs/dur-job/readings?channel=current_a&from=${T0}&to=${T0 + 3_000_000}`)
  const served = new Set(res.body.points.map(([ts, v]) => key('dur-single', 'current_a', ts, v)))
  expect([...acked].filter((k) => k.startsWith('dur-single|') && !served.has(k))).toEqual([])
  await third.stop()
  running.splice(running.indexOf(third), 1)
})
