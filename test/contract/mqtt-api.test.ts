/**
 * The MQTT API map (contract/mqtt-api.ts) says what really happens: every topic has a payload
 * schema that the gateway's real messages on it parse with (a rejected message's answer, a
 * conflict notice, a rate-limit notice, a job's status); every topic a device may publish to
 * has an ingest parser; the ACL grants exactly what the map says; the examples in
 * docs/protocol.md parse. Real gateway, real MQTT.
 */
import { readFileSync } from 'node:fs'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEVICE_KINDS, type DeviceIdentity } from '../../contract/device-identity.js'
import { ingestParserOf, MQTT_API } from '../../contract/mqtt-api.js'
import { TelemetryPayloadSchema } from '../../contract/telemetry.js'
import { jobIdOfStatusTopic, jobStatusTopic } from '../../contract/topics.js'
import { canPublish, mapSubscription } from '../../broker/acl.js'
import { rateLimitNotice } from '../../broker/publish-rate-limiter.js'
import { ConflictNotices } from '../../gateway/ingest/conflict-notices.js'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const errorsPayload = MQTT_API.errors.payload
const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
let h: Harness
let c: MqttClient
const received: { topic: string; payload: string }[] = []

beforeAll(async () => {
  h = await startHarness({ clock: new ManualClock(T0) })
  const secret = await h.register('api-map-1')
  c = await h.connect('api-map-1', secret)
  c.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }))
  await c.subscribeAsync(MQTT_API.errors.topic, { qos: 1 })
})
afterAll(async () => {
  await h.close()
})

describe('the MQTT API map', () => {
  it('gives every topic a payload schema and a line for the docs', () => {
    for (const t of Object.values(MQTT_API)) {
      expect(typeof t.payload.safeParse).toBe('function')
      expect(t.payloadDoc.length).toBeGreaterThan(5)
    }
  })

  it('has an ingest parser for every topic a device may publish to, and none for the others', () => {
    for (const t of Object.values(MQTT_API)) expect({ topic: t.topic, parser: ingestParserOf(t.topic) !== undefined }).toEqual({ topic: t.topic, parser: t.publish.length > 0 })
  })

  it('is what the ACL grants, kind by kind', () => {
    for (const kind of DEVICE_KINDS) {
      const id: DeviceIdentity = { id: `d-${kind}`, kind, bridgeFor: [] }
      for (const t of Object.values(MQTT_API)) {
        if (!/[+#]/.test(t.topic)) expect({ kind, topic: t.topic, publish: canPublish(id, t.topic) }).toEqual({ kind, topic: t.topic, publish: (t.publish as readonly string[]).includes(kind) })
        if ('scope' in t && t.scope === 'own') expect(mapSubscription(id, t.topic)).toBe(t.brokerTopic(id.id))
      }
    }
    // Spelled out, not derived: meters and units publish their own readings and facts; bridges also for others.
    const meter: DeviceIdentity = { id: 'm', kind: 'meter', bridgeFor: [] }
    const bridge: DeviceIdentity = { id: 'b', kind: 'bridge', bridgeFor: [] }
    expect(canPublish(meter, 'v1/gateway/telemetry')).toBe(false)
    expect(canPublish(bridge, 'v1/gateway/telemetry')).toBe(true)
    expect(canPublish(meter, 'v1/devices/me/errors')).toBe(false)
  })

  it('names the job status topic by the pattern the gateway publishes to', () => {
    const pattern = new RegExp(`^${MQTT_API.jobStatus.topic.replaceAll('+', '[^/]+')}$`)
    expect(jobStatusTopic('job-7')).toMatch(pattern)
    expect(jobIdOfStatusTopic(jobStatusTopic('job-7'))).toBe('job-7')
  })

  it('accepts the documented reading forms and refuses a half sample', () => {
    expect(TelemetryPayloadSchema.safeParse({ pressure_low_kpag: 812.5, current_a: 5.2 }).success).toBe(true)
    expect(TelemetryPayloadSchema.safeParse({ ts: 1764201600000, seq: 42, values: { current_a: 5.2 } }).success).toBe(true)
    expect(TelemetryPayloadSchema.safeParse([{ ts: 1764201600000, values: { current_a: { value: 118, unit: 'psig' } } }, { current_a: 5 }]).success).toBe(true)
    expect(TelemetryPayloadSchema.safeParse({ ts: 1764201600000 }).success).toBe(false)
    expect(TelemetryPayloadSchema.safeParse([]).success).toBe(false)
  })

  it("parses the gateway's answer to a rejected message, as a device receives it", async () => {
    await c.publishAsync(MQTT_API.telemetry.topic, '{"flux": 3}', { qos: 1 })
    await waitFor(() => received.length > 0, 'an answer on the error topic')
    expect(received[0]!.topic).toBe(MQTT_API.errors.topic)
    const answer = errorsPayload.parse(JSON.parse(received[0]!.payload))
    expect(answer).toMatchObject({ status: 'error', error: { code: 'GW_ERR_UNKNOWN_CHANNEL' } })
  })

  it('parses the notices the gateway sends: a conflicting re-send, a device over its publish rate', () => {
    const conflict = new ConflictNotices().note('d1', MQTT_API.telemetry.topic, [{ deviceId: 'd1', channel: 'current_a', ts: T0, value: 5.3, first: { value: 5.2, receivedAt: T0 }, conflict: { others: [{ value: 5.3, receivedAt: T0 + 500 }] } }], T0 + 500)
    expect(errorsPayload.safeParse(JSON.parse(JSON.stringify(conflict))).success).toBe(true)
    const rate = JSON.parse(rateLimitNotice({ perSecond: 200, burst: 1000 }, 10_000, T0)) as unknown
    expect(errorsPayload.safeParse(rate).success).toBe(true)
    expect(errorsPayload.safeParse({ status: 'error', error: { code: 'GW_ERR_NO_SUCH', message: 'm', details: [] }, quarantineId: 1, topic: 't', receivedAt: 1 }).success).toBe(false)
  })

  it('parses every JSON example in docs/protocol.md with the error topic schema', () => {
    const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')
    const examples = [...doc.matchAll(/^ *```json\n([\s\S]*?)\n *```/gm)].map((m) => m[1]!.trim())
    expect(examples.length).toBeGreaterThanOrEqual(3)
    for (const e of examples) expect({ e, ok: errorsPayload.safeParse(JSON.parse(e)).success }).toEqual({ e, ok: true })
  })
})
