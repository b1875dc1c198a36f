/**
 * The baseline's bare mqtt.js subscriber (QoS 1), counting what the broker relays. Runs in
 * its own process (this file as a bench child) or inside the load generator's process.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { serve, wallNow, type Handlers } from './ipc.js'

export type SubscriberApi = {
  subConnect: { arg: { url: string; topic: string }; result: null }
  /** Resolves once `count` more messages have arrived; lastAt = wall clock of the last one. */
  subExpect: { arg: { count: number }; result: { received: number; lastAt: number; cpuUs: number } }
  subDisconnect: { arg: null; result: null }
}

let client: MqttClient | undefined
let received = 0
let waiter: { target: number; resolve: () => void } | undefined
let lastAt = 0

export const subscriberHandlers: Handlers<SubscriberApi> = {
  async subConnect({ url, topic }) {
    const c = (client = await mqtt.connectAsync(url, { clientId: 'bench-sub', protocolVersion: 4, clean: true, reconnectPeriod: 0 }))
    c.on('error', (err) => process.stderr.write(`subscriber: ${err.message}\n`))
    c.on('message', () => {
      received++
      if (waiter && received >= waiter.target) {
        lastAt = wallNow()
        const w = waiter
        waiter = undefined
        w.resolve()
      }
    })
    await c.subscribeAsync(topic, { qos: 1 })
    return null
  },
  async subExpect({ count }) {
    const start = received
    const cpu0 = process.cpuUsage()
    await new Promise<void>((resolve) => {
      waiter = { target: start + count, resolve }
      if (received >= start + count) resolve()
    })
    const cpu = process.cpuUsage(cpu0)
    return { received: received - start, lastAt, cpuUs: cpu.user + cpu.system }
  },
  async subDisconnect() {
    await client?.endAsync()
    return null
  },
}

if (process.env.BENCH_ROLE?.startsWith('subscriber')) serve<SubscriberApi>(subscriberHandlers)
