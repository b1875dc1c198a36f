/**
 * Bench child for alert-latency: a steady background load at a set rate (QoS 1 single
 * readings from the load devices, sent every 10 ms in slices, at most WINDOW in flight per
 * connection), and the probe: each in-service probe unit publishes one leakage reading over
 * the pack's 3.5 mA; latency = publish → the first message on the team's MQTT topics
 * (v1/teams/bench/#, subscribed by a service device) that names that unit.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { serve } from './ipc.js'
import { payload, TELEMETRY_TOPIC } from './payloads.js'
import type { Credentials } from './server.js'
import { summarize, type LatencySummary } from './stats.js'

export interface BackgroundResult {
  sent: number
  acked: number
  /** Slices in which a connection had WINDOW publishes in flight and sent fewer than asked. */
  starved: number
  seconds: number
}

export interface AlertProbeResult {
  probes: number
  latency: LatencySummary
  missed: number
}

export type AlertLoadApi = {
  backgroundStart: { arg: { url: string; creds: Credentials[]; ratePerSec: number; tsStart: number }; result: null }
  backgroundStop: { arg: null; result: BackgroundResult }
  probe: { arg: { url: string; service: Credentials; units: Credentials[]; team: string; timeoutMs: number; gapMs: number }; result: AlertProbeResult }
}

const WINDOW = 200
const SLICE_MS = 10
const opts = (c: Credentials) => ({ clientId: c.clientId, username: c.username, password: c.password, protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: 10_000 })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let bg: { clients: MqttClient[]; timer: NodeJS.Timeout; counts: { sent: number; acked: number; starved: number }; t0: number } | undefined

serve<AlertLoadApi>({
  async backgroundStart({ url, creds, ratePerSec, tsStart }) {
    const clients = await Promise.all(creds.map((c) => mqtt.connectAsync(url, opts(c))))
    const inFlight = clients.map(() => 0)
    const counts = { sent: 0, acked: 0, starved: 0 }
    const t0 = performance.now()
    const ts = clients.map(() => tsStart)
    // Anchored to the start: the messages due by now, minus those sent, so timer jitter does not lower the rate.
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) / 1000) * ratePerSec) - counts.sent
      for (let k = 0; k < clients.length; k++) {
        const share = Math.ceil(due / clients.length)
        let n = 0
        for (; n < share && inFlight[k]! < WINDOW; n++) {
          inFlight[k]!++
          counts.sent++
          const i = ts[k]!++ - tsStart
          clients[k]!.publish(TELEMETRY_TOPIC, payload('single', ts[k]!, i), { qos: 1 }, (err) => {
            inFlight[k]!--
            if (!err) counts.acked++
          })
        }
        if (n < share) counts.starved++
      }
    }, SLICE_MS)
    bg = { clients, timer, counts, t0 }
    return null
  },
  async backgroundStop() {
    if (!bg) throw new Error('no background load running')
    const b = bg
    bg = undefined
    clearInterval(b.timer)
    const seconds = (performance.now() - b.t0) / 1000
    for (let waited = 0; b.counts.acked < b.counts.sent && waited < 30_000; waited += 10) await sleep(10)
    await Promise.all(b.clients.map((c) => c.endAsync()))
    return { ...b.counts, seconds }
  },
  async probe({ url, service, units, team, timeoutMs, gapMs }) {
    const svc = await mqtt.connectAsync(url, opts(service))
    const unitClients = await Promise.all(units.map((u) => mqtt.connectAsync(url, opts(u))))
    try {
      let waiting: { deviceId: string; resolve: (at: number) => void } | undefined
      svc.on('message', (_topic, buf) => {
        const at = performance.now()
        if (waiting && buf.toString().includes(`"${waiting.deviceId}"`)) waiting.resolve(at)
      })
      const granted = await svc.subscribeAsync(`v1/teams/${team}/#`, { qos: 1 })
      if (granted[0]?.qos === 128) throw new Error(`probe: the service device may not subscribe to v1/teams/${team}/#`)
      const lat = new Float64Array(units.length).fill(Number.NaN)
      for (let i = 0; i < units.length; i++) {
        const deviceId = units[i]!.username!
        const seen = new Promise<number | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), timeoutMs)
          waiting = { deviceId, resolve: (at) => (clearTimeout(timer), resolve(at)) }
        })
        const t0 = performance.now()
        unitClients[i]!.publish(TELEMETRY_TOPIC, `{"ts":${Date.now()},"values":{"leakage_ma":6.0}}`, { qos: 1 })
        const at = await seen
        waiting = undefined
        if (at !== undefined) lat[i] = at - t0
        await sleep(gapMs)
      }
      const answered = lat.filter((x) => !Number.isNaN(x))
      return { probes: units.length, latency: summarize(answered), missed: units.length - answered.length }
    } finally {
      await Promise.all([svc, ...unitClients].map((c) => c.endAsync()))
    }
  },
})
