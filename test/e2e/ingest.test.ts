/**
 * The ingest path against a real gateway: real broker over TCP, real mqtt.js and
 * mosquitto_pub clients, SQLite in a temp dir.
 */
import { execFile } from 'node:child_process'
import { connect as netConnect } from 'node:net'
import { promisify } from 'node:util'
import { generate, parser, type Packet } from 'mqtt-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
let jobCounter = 0

/** A job with the device attached from long ago, so readings can be read back through the API. */
async function jobFor(deviceId: string): Promise<string> {
  const id = `job-${++jobCounter}`
  const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
  expect((await h.api('POST', '/api/v1/jobs', { id, rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await h.api('POST', `/api/v1/jobs/${id}/devices`, { deviceId, at: T0 - 86_400_000 })).status).toBe(201)
  return id
}

async function points(jobId: string, channel: string): Promise<[number, number][]> {
  const res = await h.api<{ points: [number, number][] }>('GET', `/api/v1/jobs/${jobId}/readings?channel=${channel}&to=${T0 + 86_400_000}`)
  expect(res.status).toBe(200)
  return res.body.points
}

async function quarantineFor(deviceId: string) {
  const res = await h.api<{ items: { code: string; reason: string; raw: string; topic: string }[] }>('GET', `/api/v1/quarantine?deviceId=${deviceId}`)
  return res.body.items
}

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

describe('readings in, readings out', () => {
  it('stores every accepted form in canonical units with device and receive time', async () => {
    const secret = await h.register('clamp-1')
    const job = await jobFor('clamp-1')
    const c = await h.connect('clamp-1', secret)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ current_a: 5.2 }), { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 5000, values: { current_a: { value: 5100, unit: 'mA' } } }), { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts: T0 - 3000, values: { current_a: 5.3 } }, { ts: T0 - 2000, values: { current_a: 5.4 } }]), { qos: 1 })
    // QoS 1 PUBACK means stored: read back at once, no waiting.
    expect(await points(job, 'current_a')).toEqual([[T0 - 5000, 5.1], [T0 - 3000, 5.3], [T0 - 2000, 5.4], [T0, 5.2]])
  })

  it('drops exact duplicates: same device time, and a repeated seq', async () => {
    const secret = await h.register('clamp-dup')
    const job = await jobFor('clamp-dup')
    const c = await h.connect('clamp-dup', secret)
    const sample = JSON.stringify({ ts: T0 - 1000, values: { current_a: 4 } })
    await c.publishAsync('v1/devices/me/telemetry', sample, { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', sample, { qos: 1 })
    // Same seq, different ts: the device re-sent a sample after re-stamping it; seq wins.
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 900, seq: 1, values: { current_a: 4.5 } }), { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 800, seq: 1, values: { current_a: 4.5 } }), { qos: 1 })
    expect(await points(job, 'current_a')).toEqual([[T0 - 1000, 4], [T0 - 900, 4.5]])
    expect(h.gateway.ingest!.counters.duplicates).toBeGreaterThanOrEqual(2)
  })

  it('a QoS 1 redelivery (DUP flag, same packet id) of a timestamp-less reading stores no duplicate', async () => {
    const secret = await h.register('clamp-redeliver')
    const job = await jobFor('clamp-redeliver')
    const sock = netConnect(h.gateway.mqttPort, '127.0.0.1')
    const acks: number[] = []
    const p = parser()
    p.on('packet', (pkt: Packet) => {
      if (pkt.cmd === 'puback') acks.push(pkt.messageId!)
    })
    sock.on('data', (d) => p.parse(d))
    const send = (pkt: Packet) => sock.write(generate(pkt))
    send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'raw-1', keepalive: 30, username: 'clamp-redeliver', password: Buffer.from(secret) })
    const publish = { cmd: 'publish', topic: 'v1/devices/me/telemetry', payload: Buffer.from('{"current_a": 6.1}'), qos: 1, messageId: 7, retain: false } as const
    send({ ...publish, dup: false })
    await waitFor(() => acks.length === 1, 'the first PUBACK')
    clock.advance(2000) // the redelivery arrives later (the device missed the PUBACK)
    send({ ...publish, dup: true })
    await waitFor(() => acks.length === 2, 'two PUBACKs')
    sock.destroy()
    expect(await points(job, 'current_a')).toEqual([[T0, 6.1]])
  })

  it('mosquitto_pub (Debian mosquitto-clients) publishes a reading that is stored', async () => {
    const secret = await h.register('manifold-mq')
    const job = await jobFor('manifold-mq')
    const payload = JSON.stringify({ ts: T0 - 60_000, values: { pressure_low_kpag: { value: 118, unit: 'psig' } } })
    await promisify(execFile)('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(h.gateway.mqttPort), '-u', 'manifold-mq', '-P', secret, '-q', '1', '-t', 'v1/devices/me/telemetry', '-m', payload])
    const pts = await points(job, 'pressure_low_kpag')
    expect(pts).toHaveLength(1)
    expect(pts[0]![0]).toBe(T0 - 60_000)
    expect(pts[0]![1]).toBeCloseTo(813.58, 2)
  })

  it('a bridge publishes for its granted meters only', async () => {
    await h.register('meter-b1')
    await h.register('meter-b2')
    const secret = await h.register('phone-1', 'bridge', ['meter-b1'])
    const job1 = await jobFor('meter-b1')
    const job2 = await jobFor('meter-b2')
    const c = await h.connect('phone-1', secret)
    await c.publishAsync('v1/gateway/telemetry', JSON.stringify({ 'meter-b1': [{ ts: T0 - 10, values: { voltage_v: 229 } }], 'meter-b2': [{ ts: T0 - 10, values: { voltage_v: 231 } }] }), { qos: 1 })
    expect(await points(job1, 'voltage_v')).toEqual([[T0 - 10, 229]])
    expect(await points(job2, 'voltage_v')).toEqual([])
    const q = await quarantineFor('phone-1')
    expect(q[0]!.code).toBe('GW_ERR_NOT_AUTHORIZED')
    expect(q[0]!.reason).toMatch(/may not speak for device "meter-b2"/)
  })
})

describe('bad input is acknowledged, quarantined verbatim with its reason, answered, and loses nothing else', () => {
  const cases: [string, string, string, RegExp][] = [
    ['not JSON', '{"current_a": 5', 'GW_ERR_NOT_JSON', /not JSON/],
    ['wrong shape', '"just a string"', 'GW_ERR_SHAPE', /expected an object/],
    ['unknown channel', '{"current_a": 5, "warp_factor": 9}', 'GW_ERR_UNKNOWN_CHANNEL', /unknown channel "warp_factor"/],
    ['unconvertible unit', '{"current_a": 5, "voltage_v": {"value": 1, "unit": "parsec"}}', 'GW_ERR_UNIT', /unit "parsec"/],
    ['NaN', '{"current_a": 5, "voltage_v": "NaN"}', 'GW_ERR_BAD_VALUE', /voltage_v: expected a number/],
    ['absurd value', '{"current_a": 5, "voltage_v": 1e9}', 'GW_ERR_OUT_OF_RANGE', /plausible range/],
    ['future timestamp', JSON.stringify({ ts: T0 + 86_400_000, values: { current_a: 5 } }), 'GW_ERR_TIMESTAMP', /in the future/],
    ['invalid UTF-8', '\xff\xfe{"current_a": 1}', 'GW_ERR_NOT_JSON', /not JSON/],
  ]

  it.each(cases)('%s', async (name, payload, code, reason) => {
    const id = `bad-${name.replaceAll(/[^a-z0-9]/gi, '-')}`
    const secret = await h.register(id)
    const c = await h.connect(id, secret)
    const answers: string[] = []
    c.on('message', (topic, msg) => answers.push(`${topic} ${msg.toString()}`))
    await c.subscribeAsync('v1/devices/me/errors', { qos: 1 })
    const raw = name === 'invalid UTF-8' ? Buffer.from(payload, 'latin1') : Buffer.from(payload)
    await c.publishAsync('v1/devices/me/telemetry', raw, { qos: 1 }) // resolves on PUBACK: acknowledged
    const [item] = await quarantineFor(id)
    expect(item!.code).toBe(code)
    expect(item!.reason).toMatch(reason)
    expect(item!.topic).toBe('v1/devices/me/telemetry')
    if (name !== 'invalid UTF-8') expect(item!.raw).toBe(payload) // verbatim
    await waitFor(() => answers.length > 0, 'the answer on the error topic')
    expect(answers[0]).toMatch(new RegExp(`^v1/devices/me/errors .*"code":"${code}"`))
    // The connection survived and still stores good readings.
    await c.publishAsync('v1/devices/me/telemetry', '{"current_a": 1}', { qos: 1 })
    expect((await h.api('GET', '/healthz')).status).toBe(200)
  })

  it('the valid values of a partly bad message are stored', async () => {
    const secret = await h.register('half-bad')
    const job = await jobFor('half-bad')
    const c = await h.connect('half-bad', secret)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 100, values: { current_a: 3.3, voltage_v: 'high' } }), { qos: 1 })
    expect(await points(job, 'current_a')).toEqual([[T0 - 100, 3.3]])
    expect(await points(job, 'voltage_v')).toEqual([])
  })

  it('bad attributes are quarantined; good ones are kept', async () => {
    const secret = await h.register('attr-1')
    const c = await h.connect('attr-1', secret)
    await c.publishAsync('v1/devices/me/attributes', JSON.stringify({ calibrationDue: 'next tuesday' }), { qos: 1 })
    const [item] = await quarantineFor('attr-1')
    expect(item!.reason).toMatch(/calibrationDue/)
  })
})
