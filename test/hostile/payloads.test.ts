/**
 * Hostile payloads against a real gateway (issue 8): JSON bombs, prototype keys, invalid UTF-8,
 * huge numbers, NaN-like strings, 128k-element arrays, thousands of bad samples, 250 KB strings.
 * Each one must be acknowledged (PUBACK), quarantined with a bounded reason, answered on the
 * device's error topic with a bounded message, and leave the gateway serving: a device
 * connected before and one connecting after still get their readings stored at QoS 1, and
 * the gateway's RSS grows by less than RSS_BOUND_PER_CASE.
 */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { TOPICS } from '../../contract/topics.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const KiB = 1024
const MiB = 1024 * KiB
/** What one quarantine reason and one device error message may be at most, whatever came in. */
const REASON_BOUND = 8 * KiB
const ERROR_BOUND = 8 * KiB
/** The gateway runs in this process: its RSS may grow this much per case (256 KiB payloads). */
const RSS_BOUND_PER_CASE = 48 * MiB
/** ...and this much over the whole corpus (31 payloads, 5.2 MB in all): nothing is kept per message but the record. */
const RSS_BOUND_CORPUS = 96 * MiB
const clock = new ManualClock(T0)

interface Case {
  name: string
  payload: Buffer | string
  code: string
  reason: RegExp
  topic?: string
}

const deep = (open: string, inner: string, close: string, n: number) => open.repeat(n) + inner + close.repeat(n)
const manyKeys = (n: number, value = '1') => `{${Array.from({ length: n }, (_, i) => `"v${i}":${value}`).join(',')}}`

const CASES: Case[] = [
  // JSON bombs: V8 parses 100k levels (JSON.stringify would overflow on them); nothing here recurses.
  { name: 'arrays nested 100k deep', payload: deep('[', '', ']', 100_000), code: 'GW_ERR_SHAPE', reason: /^payload\[0\]: expected an object, got an array$/ },
  { name: 'objects nested 43k deep (the most that fits 256 KiB)', payload: deep('{"a":', '1', '}', 43_000), code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /payload\.a: unknown channel "a"/ },
  { name: 'a value nested 100k deep', payload: `{"ts":${T0},"values":{"current_a":${deep('[', '1', ']', 100_000)}}}`, code: 'GW_ERR_BAD_VALUE', reason: /current_a: expected a number/ },
  { name: 'an attribute nested 40k deep', topic: TOPICS.attributes, payload: `{"model":${deep('{"m":', '1', '}', 40_000)}}`, code: 'GW_ERR_SHAPE', reason: /payload\.model/ },
  { name: 'unterminated nesting 200k deep', payload: '['.repeat(200_000), code: 'GW_ERR_NOT_JSON', reason: /not JSON/ },
  // Prototype keys: JSON.parse makes them own properties; they must stay unknown channels.
  { name: '{"__proto__": {...}}', payload: '{"__proto__": {"polluted": 1, "current_a": 1}}', code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /^payload\.__proto__: unknown channel "__proto__"/ },
  { name: '{"constructor": 1}', payload: '{"constructor": 1}', code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /^payload\.constructor: unknown channel "constructor"/ },
  { name: '{"ts", "values": {"__proto__": 5}}', payload: `{"ts": ${T0}, "values": {"__proto__": 5}}`, code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /^payload\.values\.__proto__: unknown channel "__proto__"/ },
  { name: '{"ts", "values": {"__proto__": {"polluted": 1}}}', payload: `{"ts": ${T0}, "values": {"__proto__": {"polluted": 1}}}`, code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /__proto__/ },
  { name: 'attributes {"__proto__": {...}}', topic: TOPICS.attributes, payload: '{"__proto__": {"polluted": 1}}', code: 'GW_ERR_SHAPE', reason: /^payload\.__proto__: not accepted as an attribute name$/ },
  { name: 'a bridge naming "__proto__"', topic: TOPICS.gatewayTelemetry, payload: '{"__proto__": [{"ts": 1, "values": {"current_a": 1}}]}', code: 'GW_ERR_NOT_AUTHORIZED', reason: /may not speak for device "__proto__"/ },
  { name: 'a bridge message of 128k samples', topic: TOPICS.gatewayTelemetry, payload: `{"m": [${'1,'.repeat(127_990)}1]}`, code: 'GW_ERR_TOO_LARGE', reason: /^payload: 127991 samples in one message/ },
  { name: 'a bridge naming 9,000 devices', topic: TOPICS.gatewayTelemetry, payload: manyKeys(9_000), code: 'GW_ERR_NOT_AUTHORIZED', reason: /and 8980 more problem\(s\)$/ },
  { name: 'a bridge naming 20,000 devices', topic: TOPICS.gatewayTelemetry, payload: manyKeys(20_000), code: 'GW_ERR_TOO_LARGE', reason: /20000 samples in one message/ },
  // Not UTF-8.
  { name: 'invalid UTF-8 in a key', payload: Buffer.concat([Buffer.from('{"current_a": 1, "'), Buffer.from([0xc0, 0xaf]), Buffer.from('": 2}')]), code: 'GW_ERR_NOT_JSON', reason: /not valid UTF-8 \(byte 0xc0 at offset 18/ },
  { name: '250 KB of 0xff', payload: Buffer.alloc(250_000, 0xff), code: 'GW_ERR_NOT_JSON', reason: /not valid UTF-8 \(byte 0xff at offset 0/ },
  // Numbers.
  { name: '1e308', payload: '{"current_a": 1e308}', code: 'GW_ERR_OUT_OF_RANGE', reason: /plausible range/ },
  { name: '1e999 (Infinity)', payload: '{"current_a": 1e999}', code: 'GW_ERR_BAD_VALUE', reason: /Infinity is not a finite number/ },
  { name: 'a number of 250k digits', payload: `{"current_a": 1${'0'.repeat(250_000)}}`, code: 'GW_ERR_BAD_VALUE', reason: /Infinity is not a finite number/ },
  { name: 'ts 1e308', payload: '{"ts": 1e308, "values": {"current_a": 1}}', code: 'GW_ERR_SHAPE', reason: /^payload\.ts: / },
  { name: 'ts 2^53 - 1', payload: `{"ts": ${Number.MAX_SAFE_INTEGER}, "values": {"current_a": 1}}`, code: 'GW_ERR_TIMESTAMP', reason: /in the future/ },
  { name: 'NaN-like strings', payload: '{"current_a": "NaN", "voltage_v": "Infinity", "power_w": "-0x1p1024"}', code: 'GW_ERR_BAD_VALUE', reason: /expected a number/ },
  // Sizes: arrays and samples.
  { name: '128k numbers (256 KiB)', payload: `[${'1,'.repeat(127_999)}1]`, code: 'GW_ERR_TOO_LARGE', reason: /^payload: 128000 samples in one message; at most 10000/ },
  { name: '10,000 bad samples (under the sample limit)', payload: `[${Array.from({ length: 10_000 }, () => '{"warp":1}').join(',')}]`, code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /and 9980 more problem\(s\)$/ },
  { name: '10,001 samples', payload: `[${Array.from({ length: 10_001 }, () => '{"current_a":1}').join(',')}]`, code: 'GW_ERR_TOO_LARGE', reason: /10001 samples/ },
  { name: '400 samples of 64 unknown values each', payload: `[${Array.from({ length: 400 }, () => manyKeys(64)).join(',')}]`, code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /and 25580 more problem\(s\)$/ },
  { name: 'one sample of 20,000 values', payload: `{"ts": ${T0}, "values": ${manyKeys(20_000)}}`, code: 'GW_ERR_TOO_LARGE', reason: /20000 values in one sample; at most 64/ },
  { name: 'a sample with 20,000 extra keys', payload: `{"ts": ${T0}, "values": {"current_a": 1}, ${manyKeys(20_000).slice(1, -1)}}`, code: 'GW_ERR_SHAPE', reason: /^payload/ },
  // Long strings.
  { name: 'a 250 KB string value', payload: `{"current_a": "${'x'.repeat(250_000)}"}`, code: 'GW_ERR_BAD_VALUE', reason: /got the string "x{40}…"/ },
  { name: 'a 250 KB key', payload: `{"${'k'.repeat(250_000)}": 1}`, code: 'GW_ERR_UNKNOWN_CHANNEL', reason: /unknown channel "k{40}…"/ },
  { name: 'a 250 KB unit', payload: `{"current_a": {"value": 1, "unit": "${'u'.repeat(250_000)}"}}`, code: 'GW_ERR_BAD_VALUE', reason: /current_a: expected a number/ },
  { name: 'a 250 KB extra key of a sample', payload: `{"ts": ${T0}, "values": {"current_a": 1}, "${'e'.repeat(250_000)}": 1}`, code: 'GW_ERR_SHAPE', reason: /^payload/ },
  { name: 'attributes with 20,000 names', topic: TOPICS.attributes, payload: manyKeys(20_000, '"x"'), code: 'GW_ERR_TOO_LARGE', reason: /20000 attributes in one message; at most 64/ },
  { name: 'a 250 KB attribute', topic: TOPICS.attributes, payload: `{"model": "${'m'.repeat(250_000)}"}`, code: 'GW_ERR_SHAPE', reason: /payload\.model/ },
  { name: '250 KB that is not JSON', payload: `{"current_a": ${'z'.repeat(250_000)}`, code: 'GW_ERR_NOT_JSON', reason: /not JSON/ },
]

let h: Harness
let before: MqttClient
let bridge: MqttClient
let seq = 0
let rssAtStart = 0
const timings: string[] = []
const largest = { reason: 0, error: 0, rss: 0 }

/** Resolves on PUBACK; rejects at once if the gateway closes the connection instead. */
function publishAcked(client: MqttClient, topic: string, payload: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('connection closed before PUBACK'))
    client.once('close', onClose)
    client.publishAsync(topic, payload, { qos: 1 }).then(
      () => {
        client.off('close', onClose)
        resolve()
      },
      (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
    )
  })
}

/** A valid reading at QoS 1 from `client`; resolves once it is acknowledged and counted as stored. */
async function served(client: MqttClient): Promise<void> {
  const stored = h.gateway.ingest!.counters.readingsStored
  await publishAcked(client, TOPICS.telemetry, JSON.stringify({ ts: T0 - 100_000 + ++seq, values: { current_a: 5 } }))
  expect(h.gateway.ingest!.counters.readingsStored).toBe(stored + 1)
}

beforeAll(async () => {
  h = await startHarness({ clock })
  before = await h.connect('hostile-before', await h.register('hostile-before'))
  // Registered for nobody it may speak for: every device it names is refused.
  bridge = await h.connect('hostile-bridge', await h.register('hostile-bridge', 'bridge', []))
  await bridge.subscribeAsync(TOPICS.errors, { qos: 1 })
  rssAtStart = process.memoryUsage.rss()
})
afterAll(async () => {
  console.log(timings.join('\n'))
  console.log(`largest reason ${largest.reason} chars, largest error message ${largest.error} B, largest RSS growth in a case ${(largest.rss / MiB).toFixed(1)} MiB`)
  await h.close()
})

describe('hostile payloads', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const c = CASES[index]!
    const bytes = Buffer.byteLength(c.payload)
    expect(bytes).toBeLessThanOrEqual(256 * KiB - 64) // passes the packet-size guard with its topic
    const rssBefore = process.memoryUsage.rss()
    const deviceId = c.topic === TOPICS.gatewayTelemetry ? 'hostile-bridge' : `hostile-${index}`
    const device = deviceId === 'hostile-bridge' ? bridge : await h.connect(deviceId, await h.register(deviceId))
    if (device !== bridge) await device.subscribeAsync(TOPICS.errors, { qos: 1 })
    const answers: Buffer[] = []
    const onMessage = (topic: string, msg: Buffer) => {
      if (topic === TOPICS.errors) answers.push(msg)
    }
    device.on('message', onMessage)
    const quarantinedBefore = h.gateway.ingest!.counters.quarantined

    const started = performance.now()
    await publishAcked(device, c.topic ?? TOPICS.telemetry, c.payload)
    timings.push(`${c.name} (${bytes} B): PUBACK after ${(performance.now() - started).toFixed(1)} ms`)

    expect(h.gateway.ingest!.counters.quarantined).toBe(quarantinedBefore + 1)
    const listed = await h.api<{ items: { code: string; reason: string; rawBytes: number }[] }>('GET', `/api/v1/quarantine?deviceId=${deviceId}&limit=1`)
    const item = listed.body.items[0]!
    expect(item.code).toBe(c.code)
    expect(item.reason).toMatch(c.reason)
    expect(item.reason.length).toBeLessThanOrEqual(REASON_BOUND)
    largest.reason = Math.max(largest.reason, item.reason.length)
    expect(item.rawBytes).toBe(bytes) // the evidence, kept whole

    await waitFor(() => answers.length === 1, 'the answer on the error topic')
    device.off('message', onMessage)
    expect(answers[0]!.length).toBeLessThanOrEqual(ERROR_BOUND)
    largest.error = Math.max(largest.error, answers[0]!.length)
    expect(JSON.parse(answers[0]!.toString())).toMatchObject({ status: 'error', error: { code: c.code } })

    // Nothing polluted, everyone still served.
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    await served(device)
    await served(before)
    await served(await h.connect(`hostile-after-${index}`, await h.register(`hostile-after-${index}`)))
    const grown = process.memoryUsage.rss() - rssBefore
    largest.rss = Math.max(largest.rss, grown)
    expect(grown).toBeLessThan(RSS_BOUND_PER_CASE)
  })
})

describe('after the whole corpus', () => {
  it('the RSS grew by less than the corpus bound, and the gateway still answers', async () => {
    const grown = process.memoryUsage.rss() - rssAtStart
    console.log(`RSS growth over the corpus: ${(grown / MiB).toFixed(1)} MiB`)
    expect(grown).toBeLessThan(RSS_BOUND_CORPUS)
    expect((await h.api('GET', '/healthz')).status).toBe(200)
    await served(before)
  })
})

describe('a 100k-deep object with the packet limit raised to 1 MiB', () => {
  it('is quarantined and acknowledged like the rest', async () => {
    const big = await startHarness({ clock, env: { GW_MAX_PACKET_BYTES: String(MiB) } })
    try {
      const c = await big.connect('deep-1', await big.register('deep-1'))
      const payload = deep('{"":', '1', '}', 100_000)
      const started = performance.now()
      await publishAcked(c, TOPICS.telemetry, payload)
      timings.push(`objects nested 100k deep (${payload.length} B, 1 MiB packet limit): PUBACK after ${(performance.now() - started).toFixed(1)} ms`)
      const listed = await big.api<{ items: { code: string; reason: string }[] }>('GET', '/api/v1/quarantine?deviceId=deep-1')
      expect(listed.body.items[0]).toMatchObject({ code: 'GW_ERR_UNKNOWN_CHANNEL', reason: 'payload.: unknown channel "" (see docs/protocol.md)' })
      await publishAcked(c, TOPICS.telemetry, JSON.stringify({ ts: T0 - 1, values: { current_a: 1 } }))
      expect(big.gateway.ingest!.counters.readingsStored).toBe(1)
    } finally {
      await big.close()
    }
  })
})
