/**
 * Bench child: the load generator, identical for the baseline and the gateway. C mqtt.js
 * connections (one per device), each keeping at most `window` QoS 1 publishes in flight;
 * PUBACK latency = publish() call → its callback.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { serve, wallNow } from './ipc.js'
import { buildPayloads, TELEMETRY_TOPIC, type PayloadKind } from './payloads.js'
import type { Credentials } from './server.js'
import { pacedHandlers, type PacedApi } from './paced-load.js'
import { subscriberHandlers, type SubscriberApi } from './subscriber.js'
import { summarize, type LatencySummary } from './stats.js'

export interface RunArg {
  kind: PayloadKind
  /** Messages per connection. */
  perClient: number
  window: number
  /** Device time of each connection's first message; then +1 ms per message. */
  tsStart: number
}

export interface RunResult {
  messages: number
  /** Wall clock (ms, cross-process comparable) of the first publish() and of the last PUBACK. */
  firstPublishAt: number
  lastAckAt: number
  latency: LatencySummary
  cpuUs: number
}

/** The load generator can also host the baseline's subscriber (BENCH_SUBSCRIBER=load). */
export type LoadApi = SubscriberApi & PacedApi & {
  /** topics: one per connection (default: the device API's "me" telemetry topic). */
  connect: { arg: { url: string; creds: Credentials[]; topics?: string[] }; result: null }
  run: { arg: RunArg; result: RunResult }
  disconnect: { arg: null; result: null }
}

let clients: MqttClient[] = []
let topics: string[] = []

function drive(client: MqttClient, topic: string, payloads: Buffer[], window: number, lat: Float64Array, offset: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const n = payloads.length
    let next = 0
    let acked = 0
    const pump = (): void => {
      while (next < n && next - acked < window) {
        const i = next++
        const t0 = performance.now()
        client.publish(topic, payloads[i]!, { qos: 1 }, (err) => {
          if (err) return reject(err)
          lat[offset + i] = performance.now() - t0
          if (++acked === n) resolve()
          else pump()
        })
      }
    }
    pump()
  })
}

serve<LoadApi>({
  ...subscriberHandlers,
  ...pacedHandlers,
  async connect({ url, creds, topics: perClient }) {
    topics = creds.map((_, k) => perClient?.[k] ?? TELEMETRY_TOPIC)
    clients = await Promise.all(
      creds.map(async (c) => {
        const client = await mqtt.connectAsync(url, {
          clientId: c.clientId,
          ...(c.username !== undefined ? { username: c.username, password: c.password } : {}),
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
          keepalive: 60,
        })
        // A dropped connection fails the run through the pending publish callbacks / timeouts.
        client.on('error', (err) => process.stderr.write(`load: ${c.clientId}: ${err.message}\n`))
        return client
      }),
    )
    return null
  },
  async run({ kind, perClient, window, tsStart }) {
    const payloads = clients.map(() => buildPayloads(kind, tsStart, perClient))
    const lat = new Float64Array(perClient * clients.length)
    const cpu0 = process.cpuUsage()
    const firstPublishAt = wallNow()
    await Promise.all(clients.map((c, k) => drive(c, topics[k]!, payloads[k]!, window, lat, k * perClient)))
    const lastAckAt = wallNow()
    const cpu = process.cpuUsage(cpu0)
    return { messages: lat.length, firstPublishAt, lastAckAt, latency: summarize(lat), cpuUs: cpu.user + cpu.system }
  },
  async disconnect() {
    await Promise.all(clients.map((c) => c.endAsync()))
    clients = []
    return null
  },
})
