/**
 * Bench child: InfluxDB's own write rate, the baseline of the InfluxDB path. Writes the points
 * the forwarder would make of the load generator's messages (same measurement, tag, fields,
 * ms precision, retention policy and batch size), pre-encoded as line protocol before the
 * clock starts, straight to /write with one request in flight, as the forwarder has. So the
 * gateway's figure over this one is the share of InfluxDB's capacity the gateway delivers.
 */
import { serve, wallNow } from './ipc.js'
import { telemetryLine, type PayloadKind } from './payloads.js'
import { summarize, type LatencySummary } from './stats.js'

export interface WriteArg {
  url: string
  database: string
  retentionPolicy: string
  kind: PayloadKind
  devices: number
  /** Points per device. */
  perDevice: number
  /** Points per request (the gateway's GW_INFLUX_BATCH). */
  batch: number
  tsStart: number
}

export interface WriteResult {
  points: number
  firstWriteAt: number
  lastWriteAt: number
  /** Per request: POST → 204. */
  latency: LatencySummary
  cpuUs: number
}

export type InfluxWriterApi = {
  /** Encodes the request bodies (before the clock starts). */
  prepare: { arg: WriteArg; result: null }
  /** Sends what prepare encoded. */
  write: { arg: null; result: WriteResult }
}

let prepared: { url: string; requests: string[]; points: number } | undefined

/** Request bodies: devices interleaved in batches of `batch` lines, in device-time order. */
function bodies(a: WriteArg): string[] {
  const lines: string[] = []
  for (let i = 0; i < a.perDevice; i++) {
    for (let d = 0; d < a.devices; d++) lines.push(telemetryLine(a.kind, `bench-meter-${d}`, a.tsStart + i, i))
  }
  const out: string[] = []
  for (let i = 0; i < lines.length; i += a.batch) out.push(lines.slice(i, i + a.batch).join('\n'))
  return out
}

serve<InfluxWriterApi>({
  prepare(a) {
    const url = `${a.url}/write?${new URLSearchParams({ db: a.database, rp: a.retentionPolicy, precision: 'ms' })}`
    prepared = { url, requests: bodies(a), points: a.devices * a.perDevice }
    return null
  },
  async write() {
    if (!prepared) throw new Error('write before prepare')
    const { url, requests, points } = prepared
    prepared = undefined
    const lat = new Float64Array(requests.length)
    const cpu0 = process.cpuUsage()
    const firstWriteAt = wallNow()
    for (let i = 0; i < requests.length; i++) {
      const t0 = performance.now()
      const res = await fetch(url, { method: 'POST', body: requests[i] })
      if (res.status !== 204) throw new Error(`influx /write: ${res.status} ${await res.text()}`)
      lat[i] = performance.now() - t0
    }
    const lastWriteAt = wallNow()
    const cpu = process.cpuUsage(cpu0)
    return { points, firstWriteAt, lastWriteAt, latency: summarize(lat), cpuUs: cpu.user + cpu.system }
  },
})
