/** Bench child for the baseline: one bare mqtt.js subscriber (QoS 1) counting what the broker relays. */
import mqtt, { type MqttClient } from 'mqtt'
import { serve, wallNow } from './ipc.js'

export type SubscriberApi = {
  connect: { arg: { url: string; topic: string }; result: null }
  /** Resolves once `count` more messages have arrived; lastAt = wall clock of the last one. */
  expect: { arg: { count: number }; result: { received: number; lastAt: number; cpuUs: number } }
  disconnect: { arg: null; result: null }
}

let client: MqttClient | undefined
let received = 0
let waiter: { target: number; resolve: () => void } | undefined
let lastAt = 0

serve<SubscriberApi>({
  async connect({ url, topic }) {
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
  async expect({ count }) {
    const start = received
    const cpu0 = process.cpuUsage()
    await new Promise<void>((resolve) => {
      waiter = { target: start + count, resolve }
      if (received >= start + count) resolve()
    })
    const cpu = process.cpuUsage(cpu0)
    return { received: received - start, lastAt, cpuUs: cpu.user + cpu.system }
  },
  async disconnect() {
    await client?.endAsync()
    return null
  },
})
