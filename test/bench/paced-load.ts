/**
 * Load-generator commands of the job scenarios (run inside the load child): devices that
 * publish at a fixed rate (latency, not throughput: one QoS 1 publish every `intervalMs`,
 * PUBACK latency = publish() → its callback), a live meter sending ~10 Hz to its job, and
 * the reading-to-verdict probe.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { jobStatusTopic } from '../../contract/topics.js'
import type { Handlers } from './ipc.js'
import { payload, TELEMETRY_TOPIC } from './payloads.js'
import type { Credentials } from './server.js'
import { summarize, type LatencySummary } from './stats.js'

export interface PacedResult {
  messages: number
  latency: LatencySummary
  /** Publishes whose PUBACK had not come when the run ended (counted as lost latency, not hidden). */
  unanswered: number
  cpuUs: number
}

export interface ProbeResult {
  probes: number
  /** Publish of a reading → the first status message whose verdict shows that reading. */
  latency: LatencySummary
  /** Probes whose reading no status message reflected within the per-probe timeout. */
  missed: number
}

/**
 * How a probe reading shows in the verdict (the tightness step):
 * - pressurise: below the test pressure, test_pressure's `measured` is the highest pressure so
 *   far; probe i sends 3000 + i kPa(g), so each probe moves it to a value only it can cause.
 * - hold: in a hold, hold_duration's `measured` is (last reading − hold start) / 1000 s; probe
 *   readings continue the hold at 4000 kPa(g), each with a later device time, so the value it
 *   must show is known from holdStartTs.
 */
export type ProbeArg = { url: string; cred: Credentials; jobId: string; count: number; timeoutMs: number } & (
  | { kind: 'pressurise' }
  | { kind: 'hold'; holdStartTs: number; afterTs: number }
)

export type PacedApi = {
  pacedConnect: { arg: { url: string; creds: Credentials[] }; result: null }
  /** Every device publishes one message each intervalMs for durationMs. */
  pacedRun: { arg: { intervalMs: number; durationMs: number; tsStart: number }; result: PacedResult }
  /** The job's meter: one 3-channel reading every intervalMs until liveStop. */
  liveStart: { arg: { url: string; cred: Credentials; intervalMs: number; tsFrom: number }; result: null }
  /** lastTs: device time of the last reading sent. */
  liveStop: { arg: null; result: { sent: number; acked: number; lastTs: number } }
  /** An attached device subscribes to the job's status, then publishes `count` probe readings, one at a time. */
  verdictProbe: { arg: ProbeArg; result: ProbeResult }
  pacedDisconnect: { arg: null; result: null }
}

const connectOpts = (c: Credentials) => ({
  clientId: c.clientId,
  ...(c.username !== undefined ? { username: c.username, password: c.password } : {}),
  protocolVersion: 4 as const,
  clean: true,
  reconnectPeriod: 0,
  connectTimeout: 10_000,
  keepalive: 60,
})

let paced: MqttClient[] = []
let live: { client: MqttClient; timer: NodeJS.Timeout; counts: { sent: number; acked: number }; last: { ts: number } } | undefined

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Probe {
  check: 'test_pressure' | 'hold_duration'
  /** What the check's `measured` must be once the verdict reflects this probe. */
  measured: number
  payload: string
}

/** Does this status message (a verdict) show the probe in the tightness step? */
function shows(buf: Buffer, probe: Probe): boolean {
  try {
    const v = JSON.parse(buf.toString()) as { steps?: { id: string; checks?: { id: string; measured?: number }[] }[] }
    const measured = v.steps?.find((s) => s.id === 'tightness')?.checks?.find((c) => c.id === probe.check)?.measured
    // hold_duration is ms / 1000: allow for the float rounding of that division, nothing more.
    return measured !== undefined && Math.abs(measured - probe.measured) < 1e-6
  } catch {
    return false
  }
}

export const pacedHandlers: Handlers<PacedApi> = {
  async pacedConnect({ url, creds }) {
    paced = await Promise.all(creds.map((c) => mqtt.connectAsync(url, connectOpts(c))))
    for (const c of paced) c.on('error', (err) => process.stderr.write(`paced: ${err.message}\n`))
    return null
  },
  async pacedRun({ intervalMs, durationMs, tsStart }) {
    const perClient = Math.max(1, Math.floor(durationMs / intervalMs))
    const lat = new Float64Array(perClient * paced.length).fill(Number.NaN)
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    let pending = 0
    await Promise.all(
      paced.map(async (client, k) => {
        // Devices spread over the interval, so the gateway sees a steady stream, not bursts.
        await sleep((intervalMs * k) / paced.length)
        for (let i = 0; i < perClient; i++) {
          const due = start + (intervalMs * k) / paced.length + i * intervalMs
          const wait = due - performance.now()
          if (wait > 0) await sleep(wait)
          const t0 = performance.now()
          pending++
          client.publish(TELEMETRY_TOPIC, payload('single', tsStart + i, i), { qos: 1 }, (err) => {
            pending--
            if (!err) lat[k * perClient + i] = performance.now() - t0
          })
        }
      }),
    )
    // The last PUBACKs: bounded wait; what never came is reported.
    for (let waited = 0; pending > 0 && waited < 30_000; waited += 10) await sleep(10)
    const answered = lat.filter((x) => !Number.isNaN(x))
    const cpu = process.cpuUsage(cpu0)
    return { messages: answered.length, latency: summarize(answered), unanswered: lat.length - answered.length, cpuUs: cpu.user + cpu.system }
  },
  async liveStart({ url, cred, intervalMs, tsFrom }) {
    const client = await mqtt.connectAsync(url, connectOpts(cred))
    client.on('error', (err) => process.stderr.write(`live meter: ${err.message}\n`))
    const last = { ts: Math.max(tsFrom, Date.now()) }
    const state = { sent: 0, acked: 0 }
    const timer = setInterval(() => {
      last.ts = Math.max(last.ts + 1, Date.now())
      const ts = last.ts
      const p = (4000 + (state.sent % 3) - 1).toFixed(1)
      state.sent++
      client.publish(TELEMETRY_TOPIC, `{"ts":${ts},"values":{"pressure_high_kpag":${p},"pressure_low_kpag":${p},"temp_pipe_c":20.1}}`, { qos: 1 }, (err) => {
        if (!err) state.acked++
      })
    }, intervalMs)
    live = { client, timer, counts: state, last }
    return null
  },
  async liveStop() {
    if (!live) return { sent: 0, acked: 0, lastTs: 0 }
    const l = live
    live = undefined
    clearInterval(l.timer)
    for (let waited = 0; l.counts.acked < l.counts.sent && waited < 30_000; waited += 10) await sleep(10)
    await l.client.endAsync()
    return { ...l.counts, lastTs: l.last.ts }
  },
  async verdictProbe(arg) {
    const { url, cred, jobId, count, timeoutMs } = arg
    const client = await mqtt.connectAsync(url, connectOpts(cred))
    try {
      let waiting: { probe: Probe; resolve: (at: number) => void } | undefined
      client.on('message', (_topic, buf) => {
        if (!waiting) return
        const at = performance.now()
        if (shows(buf, waiting.probe)) waiting.resolve(at)
      })
      const granted = await client.subscribeAsync(jobStatusTopic(jobId), { qos: 1 })
      if (granted[0]?.qos === 128) throw new Error(`verdictProbe: subscription to ${jobStatusTopic(jobId)} refused`)
      const lat = new Float64Array(count).fill(Number.NaN)
      let ts = arg.kind === 'hold' ? arg.afterTs : 0
      for (let i = 0; i < count; i++) {
        ts = Math.max(ts + 1, Date.now())
        const probe: Probe =
          arg.kind === 'pressurise'
            ? { check: 'test_pressure', measured: 3000 + i, payload: `{"ts":${ts},"values":{"pressure_high_kpag":${3000 + i}}}` }
            : { check: 'hold_duration', measured: (ts - arg.holdStartTs) / 1000, payload: `{"ts":${ts},"values":{"pressure_high_kpag":4000,"pressure_low_kpag":4000,"temp_pipe_c":20.1}}` }
        const seen = new Promise<number | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), timeoutMs)
          waiting = {
            probe,
            resolve: (at) => {
              clearTimeout(timer)
              resolve(at)
            },
          }
        })
        const t0 = performance.now()
        client.publish(TELEMETRY_TOPIC, probe.payload, { qos: 1 })
        const at = await seen
        waiting = undefined
        if (at !== undefined) lat[i] = at - t0
        await sleep(20)
      }
      const answered = lat.filter((x) => !Number.isNaN(x))
      return { probes: count, latency: summarize(answered), missed: count - answered.length }
    } finally {
      await client.endAsync()
    }
  },
  async pacedDisconnect() {
    await Promise.all(paced.map((c) => c.endAsync()))
    paced = []
    return null
  },
}
