/**
 * The SSE stream with a client that stops reading (issue 11 + the bar: memory per client
 * bounded). A raw TCP client sends the request and never reads; its socket buffers fill up.
 * The gateway (a child process, GC'd before each measurement) keeps at most one page for it,
 * drops it once it is more than GW_ALERT_STREAM_MAX_LAG events behind, and its heap does not
 * grow with the ~7 MB of events the client missed. Reconnecting with Last-Event-ID (an audit
 * seq) gives exactly the changes after it, with their audit seqs as ids.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, expect, it } from 'vitest'
import { startChild, type ChildGateway } from './alerts-deliveries-process.js'
import { readSse, T0, UNIT, waitUntil } from './alerts-deliveries-site.js'

const dir = mkdtempSync(join(tmpdir(), 'gw-deliv-sse-'))
let g: ChildGateway | undefined
let raw: Socket | undefined
afterAll(async () => {
  raw?.destroy()
  await g?.kill()
  rmSync(dir, { recursive: true, force: true })
})

const MAX_LAG = 100
const CHANGES = 1600
const NOTE = 'checked the casing and the earth bond; '.repeat(40).slice(0, 1500)

interface Healthz { alerts: { stream: { clients: number; dropped: number } } }
interface AlertDetail { id: string; audit: { seq: number; action: string }[] }

it('a client that stops reading is dropped past maxLag, the heap does not grow with what it missed, and Last-Event-ID resumes exactly', { timeout: 120_000 }, async () => {
  const teams = join(dir, 'teams.json')
  writeFileSync(teams, JSON.stringify({ teams: [{ id: 'north', name: 'North', deliveries: [{ kind: 'sse' }] }], defaultTeam: 'north' }))
  g = await startChild({ GW_DATA_DIR: join(dir, 'data'), GW_ALERT_TEAMS_FILE: teams, GW_ALERT_STREAM_MAX_LAG: String(MAX_LAG) }, T0)
  const gw = g
  const r = await gw.api<{ secret: string }>('POST', '/api/v1/devices', { id: 'u1', kind: 'unit' })
  expect((await gw.api('POST', '/api/v1/devices/u1/in-service', { pack: 'split-ac', unit: UNIT, since: T0 })).status).toBe(201)
  const unit = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username: 'u1', password: r.body.secret, reconnectPeriod: 0 })
  await unit.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts: T0 + 1000, values: { leakage_ma: 12 } }]), { qos: 1 })
  await unit.endAsync()
  let alertId = ''
  await waitUntil(async () => {
    alertId = (await gw.api<{ alerts: { id: string }[] }>('GET', '/api/v1/alerts?deviceId=u1')).body.alerts[0]?.id ?? ''
    return alertId !== ''
  }, 'the leakage alert')
  const assign = async (n: number) => {
    for (let i = 0; i < n; i += 4) {
      await Promise.all([0, 1, 2, 3].map(async (k) => {
        const res = await gw.api('POST', `/api/v1/alerts/${alertId}/assign`, { by: 'li.wei', to: `tech-${(i + k) % 7}`, note: NOTE })
        if (res.status !== 200) throw new Error(`assign: ${res.status} ${JSON.stringify(res.body)}`)
      }))
    }
  }
  // Warm-up: the same path once before measuring (code compiled, caches filled).
  await assign(300)
  const audit0 = (await gw.api<AlertDetail>('GET', `/api/v1/alerts/${alertId}`)).body.audit
  const fromSeq = audit0[audit0.length - 1]!.seq

  // The client that never reads: its request, then nothing (paused: the kernel buffers fill, then the gateway's write() says full).
  const port = Number(new URL(gw.httpUrl).port)
  raw = connect(port, '127.0.0.1')
  raw.on('error', () => {})
  await new Promise<void>((res) => raw!.once('connect', () => res()))
  raw.write(`GET /api/v1/alerts/stream?team=north HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${gw.token}\r\naccept: text/event-stream\r\n\r\n`)
  raw.pause()
  const stream = async () => (await gw.api<Healthz>('GET', '/healthz')).body.alerts.stream
  await waitUntil(async () => (await stream()).clients === 1, 'the stalled client attached')
  const before = await gw.memory()

  // 1600 changes of ~4.6 KB each (an assignment with a long note), 4 at a time.
  await assign(CHANGES)
  await waitUntil(async () => {
    const s = await stream()
    return s.dropped === 1 && s.clients === 0
  }, 'the stalled client dropped')
  const after = await gw.memory()

  // Resume from the last change before the burst: every change after it, in order, ids = audit seqs.
  const audit = (await gw.api<AlertDetail>('GET', `/api/v1/alerts/${alertId}`)).body.audit
  const expected = audit.filter((e) => e.seq > fromSeq).map((e) => e.seq)
  expect(expected).toHaveLength(CHANGES)
  const resumed = await readSse(gw.httpUrl, gw.token, 'north', String(fromSeq), (evs) => evs.length >= CHANGES)
  expect(resumed.map((e) => Number(e.id))).toEqual(expected)
  const missedBytes = resumed.reduce((n, e) => n + e.data.length, 0)
  expect(missedBytes).toBeGreaterThan(6_000_000)
  // Memory: the heap (and buffers) after GC grew by far less than what the client missed.
  const grew = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)
  console.log(`SSE stalled client: missed ${(missedBytes / 1e6).toFixed(1)} MB; heap+buffers ${(before.heapUsed / 1e6).toFixed(1)}+${(before.arrayBuffers / 1e6).toFixed(1)} -> ${(after.heapUsed / 1e6).toFixed(1)}+${(after.arrayBuffers / 1e6).toFixed(1)} MB; rss ${(before.rss / 1e6).toFixed(0)} -> ${(after.rss / 1e6).toFixed(0)} MB`)
  expect(grew).toBeLessThan(missedBytes / 5)
})
