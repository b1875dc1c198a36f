/**
 * Bench child for the alert scenarios (issue 11): the real Gateway with a teams file (one
 * team `bench`, MQTT deliveries, a rate limit no probe reaches), in-service units registered
 * over the HTTP API, a `service` device of that team, and, for silence-10k, a manual clock
 * the orchestrator moves. Says whether the gateway has alerts at all, so the bench can skip.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ManualClock } from '../../gateway/clock.js'
import type { Harness } from '../helpers/gateway-harness.js'
import { BENCH_TEAM } from './alert-scenarios.js'
import { serve } from './ipc.js'
import type { Credentials } from './server.js'

export interface AlertStartArg {
  /** Load devices (meters, publish rate lifted). */
  devices: number
  /** A manual clock starting at this time (silence-10k), else the system clock. */
  manualClockAt?: number
}

export interface AlertStartResult {
  url: string
  creds: Credentials[]
  /** Why the gateway cannot be measured (no alerts yet, no faults in the pack), or null. */
  unsupported: string | null
  /** The seed pack's offline silence time, s. */
  silenceS: number | null
}

export type AlertServerApi = {
  start: { arg: AlertStartArg; result: AlertStartResult }
  /** Registers `count` units in service (split-ac) and returns their MQTT credentials; `service`: one service device of team bench. */
  inService: { arg: { prefix: string; count: number; parallel: number; since: number }; result: Credentials[] }
  service: { arg: null; result: Credentials }
  /** Moves the manual clock `totalMs` in steps of `stepMs`, a macrotask turn (plus `pauseMs`) between; returns the process CPU µs used. */
  advance: { arg: { totalMs: number; stepMs: number; pauseMs: number }; result: { cpuUs: number; wallMs: number } }
  /** Alerts of a fault (first page: up to 100). */
  alertCount: { arg: { fault: string }; result: number }
  stop: { arg: null; result: null }
}

const UNIT = { model: 'KFR-35GW/SIM32', invoiceModel: 'KFR-35GW/SIM32', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
const UNLIMITED = '100000000'

let harness: Harness | undefined
let clock: ManualClock | undefined
let dataDir: string | undefined

function packSilenceS(): number | null {
  const pack = parse(readFileSync(new URL('../../rules/packs/split-ac.yaml', import.meta.url), 'utf8')) as { faults?: { offline?: { silenceS?: { value?: unknown } } } }
  const v = pack.faults?.offline?.silenceS?.value
  return typeof v === 'number' ? v : null
}

async function must<T>(h: Harness, method: string, path: string, body?: unknown): Promise<T> {
  const res = await h.api<T>(method, path, body)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

serve<AlertServerApi>({
  async start(arg) {
    const { startHarness } = await import('../helpers/gateway-harness.js')
    dataDir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), 'gw-bench-alerts-'))
    const teams = join(dataDir, 'teams.json')
    writeFileSync(teams, JSON.stringify({ teams: [{ id: BENCH_TEAM, name: 'Bench', deliveries: [{ kind: 'mqtt' }, { kind: 'sse' }], rateLimit: { windowS: 60, maxPerWindow: 1000, maxListed: 50 } }], defaultTeam: BENCH_TEAM }))
    if (arg.manualClockAt !== undefined) clock = new ManualClock(arg.manualClockAt)
    harness = await startHarness({
      dataDir,
      ...(clock ? { clock } : {}),
      env: { GW_SYNC: 'normal', GW_ALERT_TEAMS_FILE: teams, GW_DEVICE_PUBLISH_RATE: UNLIMITED, GW_DEVICE_PUBLISH_BURST: UNLIMITED },
    })
    const h = harness
    const creds: Credentials[] = []
    for (let i = 0; i < arg.devices; i++) {
      const id = `bench-meter-${i}`
      creds.push({ clientId: `bench-pub-${i}`, username: id, password: await h.register(id) })
    }
    const silenceS = packSilenceS()
    const alerts = await h.api('GET', '/api/v1/alerts?limit=1')
    const unsupported =
      alerts.status === 404 ? 'the gateway has no alerts yet (GET /api/v1/alerts: 404)' : silenceS === null ? 'rules/packs/split-ac.yaml has no faults.offline section yet' : null
    return { url: h.mqttUrl, creds, unsupported, silenceS }
  },
  async inService({ prefix, count, parallel, since }) {
    const h = harness!
    const out: Credentials[] = new Array<Credentials>(count)
    let next = 0
    const worker = async () => {
      while (next < count) {
        const i = next++
        const id = `${prefix}${i}`
        const secret = await h.register(id, 'unit')
        await must(h, 'POST', `/api/v1/devices/${id}/in-service`, { pack: 'split-ac', unit: UNIT, since })
        out[i] = { clientId: id, username: id, password: secret }
      }
    }
    await Promise.all(Array.from({ length: parallel }, worker))
    return out
  },
  async service() {
    const h = harness!
    const body = await must<{ secret: string }>(h, 'POST', '/api/v1/devices', { id: 'bench-svc', kind: 'service', team: BENCH_TEAM })
    return { clientId: 'bench-svc', username: 'bench-svc', password: body.secret }
  },
  async advance({ totalMs, stepMs, pauseMs }) {
    if (!clock) throw new Error('advance needs the manual clock (start with manualClockAt)')
    const c = clock
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    for (let moved = 0; moved < totalMs; moved += stepMs) {
      c.advance(stepMs)
      // A macrotask turn: the gateway's timers and I/O callbacks run between steps.
      await new Promise((r) => setTimeout(r, pauseMs))
    }
    const cpu = process.cpuUsage(cpu0)
    return { cpuUs: cpu.user + cpu.system, wallMs: performance.now() - t0 }
  },
  async alertCount({ fault }) {
    const body = await must<{ alerts: unknown[] }>(harness!, 'GET', `/api/v1/alerts?fault=${fault}&limit=100`)
    return body.alerts.length
  },
  async stop() {
    await harness?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    return null
  },
})
