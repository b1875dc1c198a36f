/**
 * Bench child: the system under test, alone in its process. Either a plain aedes broker
 * (the baseline: no hooks, no auth, no storage) or the real Gateway with a temp data dir,
 * optionally forwarding to InfluxDB (its forwarder's backlog and lag are sampled here).
 */
import { mkdtempSync, rmSync, statfsSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getHeapSpaceStatistics } from 'node:v8'
import { Aedes } from 'aedes'
import type Database from 'better-sqlite3'
// Gateway modules are imported only in gateway mode, so the baseline does not depend on them.
import type { ForwarderStats } from '../../gateway/sinks/influx/forwarder.js'
import type { Gateway } from '../../gateway/gateway.js'
import type { IngestCounters } from '../../gateway/ingest/ingest.js'
import type { Harness } from '../helpers/gateway-harness.js'
import type { JobSetupArg, JobSetupResult } from './job-fixture.js'
import { serve, wallNow } from './ipc.js'
import { stableRss } from '../helpers/stable-rss.js'

export interface Credentials {
  clientId: string
  username?: string
  password?: string
}

export interface StartArg {
  /** ceiling: plain aedes whose authorizePublish resolves at once, nothing stored, no subscriber. */
  mode: 'baseline' | 'ceiling' | 'gateway'
  sync?: 'full' | 'normal'
  devices: number
  /** Forward to this InfluxDB (GW_INFLUX_URL, GW_INFLUX_DB, GW_INFLUX_BATCH). */
  influx?: { url: string; database: string; batch: number }
  /** More GW_* settings for the gateway under test. */
  env?: Record<string, string>
}

export interface StartResult {
  url: string
  creds: Credentials[]
  /** The gateway's HTTP API and admin token. */
  http?: { url: string; token: string }
  /** Read back from the gateway's own SQLite connection (PRAGMA is per connection). */
  sqlite?: { synchronous: string; journalMode: string; dataDir: string; fsType: string }
}

/** Group commits seen so far (the gateway's ingest log is its only GroupCommit). */
export interface CommitStats {
  commits: number
  items: number
  maxBatch: number
  /**
   * Time spent inside flush() on the event loop: the transaction, inserts and COMMIT. With
   * GW_SYNC=full the WAL's fdatasync runs after it in the thread pool (gateway/store/wal-sync.ts)
   * and is not counted here; before that change it was.
   */
  ms: number
}

const commitStats: CommitStats = { commits: 0, items: 0, maxBatch: 0, ms: 0 }

/**
 * Measurement only: times GroupCommit.flush() (the gateway's transaction + COMMIT) without
 * changing what it does. Runs on the event-loop thread, like the flush itself.
 */
async function traceGroupCommits(): Promise<void> {
  const { GroupCommit } = await import('../../gateway/store/group-commit.js')
  const proto = GroupCommit.prototype as unknown as { flush(this: { pending: number }): void }
  const flush = proto.flush
  proto.flush = function tracedFlush(this: { pending: number }): void {
    const n = this.pending
    if (n === 0) return flush.call(this)
    const t0 = performance.now()
    try {
      flush.call(this)
    } finally {
      commitStats.ms += performance.now() - t0
      commitStats.commits++
      commitStats.items += n
      if (n > commitStats.maxBatch) commitStats.maxBatch = n
    }
  }
}

export interface Sample {
  at: number
  cpuUserUs: number
  cpuSystemUs: number
  rss: number
  heapUsed: number
  maxRssBytes: number
  counters?: IngestCounters
  commits?: CommitStats
}

/** The forwarder's backlog and lag, sampled every SAMPLE_MS from forwarderWatch until it settles. */
export interface ForwarderTrace {
  samples: { at: number; backlog: number; lagMs: number }[]
  /** Wall clock when the backlog was first seen empty. */
  settledAt: number
}

export type ServerApi = {
  start: { arg: StartArg; result: StartResult }
  sample: { arg: null; result: Sample }
  rowCount: { arg: null; result: number }
  forwarderWatch: { arg: null; result: null }
  /** Resolves once every reading acknowledged so far is in InfluxDB. */
  forwarderSettled: { arg: { timeoutMs: number }; result: ForwarderTrace }
  /** A job (and its meter) set up through the HTTP API, with bulk readings through MQTT. */
  setUpJob: { arg: JobSetupArg; result: JobSetupResult }
  /** Device time at which the job's tightness hold started, as its verdict shows. */
  holdStart: { arg: { jobId: string }; result: number }
  /** Resident memory after a full GC once the freed pages are back with the OS (the child needs --expose-gc), and the open connections aedes counts. */
  settledRss: { arg: null; result: { rss: number; heapUsed: number; youngBytes: number; connectedClients: number } }
  stop: { arg: null; result: null }
}

const SAMPLE_MS = 50

const SYNC_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA']

// statfs f_type magic numbers of the file systems likely to hold a temp dir.
const FS_TYPES: Record<number, string> = {
  0xef53: 'ext4',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x9123683e: 'btrfs',
  0x58465342: 'xfs',
  0x2fc12fc1: 'zfs',
}

let gateway: Gateway | undefined
let harness: Harness | undefined
let baseline: { aedes: Aedes; server: Server } | undefined
let dataDir: string | undefined

/** The gateway keeps its connection private; the bench reads it to report what was really set. */
function gatewayDb(gw: Gateway): Database.Database {
  const db = (gw as unknown as { db?: Database.Database }).db
  if (!db) throw new Error('gateway has no open database')
  return db
}

async function startBaseline(arg: StartArg): Promise<StartResult> {
  // The ceiling: the same QoS 1 load acknowledged by aedes with nothing stored, i.e. the limit
  // of any ingest that runs inside aedes's authorizePublish (the PUBACK follows its callback).
  const aedes = await Aedes.createBroker(arg.mode === 'ceiling' ? { authorizePublish: (_client, _packet, done) => done(null) } : {})
  const server = createServer(aedes.handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  baseline = { aedes, server }
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  return { url: `mqtt://127.0.0.1:${port}`, creds: Array.from({ length: arg.devices }, (_, i) => ({ clientId: `bench-pub-${i}` })) }
}

/**
 * BENCH_GW_ENV="GW_A=1 GW_B=2": more settings for every gateway under test, e.g. to lift a
 * per-device publish rate limit for the throughput scenarios, whose 4 load connections each
 * publish far faster than any real device.
 */
function extraGatewayEnv(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of (raw ?? '').split(/[\s,]+/)) {
    if (pair === '') continue
    const m = /^(GW_[A-Z0-9_]+)=(.*)$/.exec(pair)
    if (!m) throw new Error(`BENCH_GW_ENV: "${pair}" is not GW_NAME=value (pairs separated by spaces or commas)`)
    out[m[1]!] = m[2]!
  }
  return out
}

async function startGateway(arg: StartArg): Promise<StartResult> {
  const { startHarness } = await import('../helpers/gateway-harness.js')
  dataDir = mkdtempSync(join(process.env.BENCH_DATA_DIR ?? tmpdir(), 'gw-bench-'))
  await traceGroupCommits()
  harness = await startHarness({
    dataDir,
    env: {
      // First, so that a scenario's own settings (GW_SYNC …) win over it.
      ...extraGatewayEnv(process.env.BENCH_GW_ENV),
      GW_SYNC: arg.sync ?? 'full',
      ...(arg.influx ? { GW_INFLUX_URL: arg.influx.url, GW_INFLUX_DB: arg.influx.database, GW_INFLUX_BATCH: String(arg.influx.batch) } : {}),
      ...arg.env,
    },
  })
  const gw = (gateway = harness.gateway)
  const creds: Credentials[] = []
  for (let i = 0; i < arg.devices; i++) {
    const id = `bench-meter-${i}`
    creds.push({ clientId: `bench-pub-${i}`, username: id, password: await harness.register(id) })
  }
  const db = gatewayDb(gw)
  const sync = db.pragma('synchronous', { simple: true }) as number
  const fsType = statfsSync(dataDir).type
  return {
    url: `mqtt://127.0.0.1:${gw.mqttPort}`,
    creds,
    http: { url: harness.httpUrl, token: harness.token },
    sqlite: {
      synchronous: SYNC_NAMES[sync] ?? String(sync),
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      dataDir,
      fsType: FS_TYPES[fsType] ?? `0x${fsType.toString(16)}`,
    },
  }
}

function requireHarness(): Harness {
  if (!harness) throw new Error('this command needs the gateway (mode: gateway)')
  return harness
}

let watch: { samples: ForwarderTrace['samples']; timer: NodeJS.Timeout } | undefined

function forwarderStats(): ForwarderStats {
  const stats = gateway?.influx?.stats()
  if (!stats) throw new Error('the gateway under test does not forward to InfluxDB')
  return stats
}

/** Samples until the backlog is empty (nothing re-routed either), then resolves. */
function forwarderSettled(timeoutMs: number): Promise<ForwarderTrace> {
  const deadline = Date.now() + timeoutMs
  const samples = watch?.samples ?? []
  if (watch) clearInterval(watch.timer)
  watch = undefined
  return new Promise((resolve, reject) => {
    const look = (): void => {
      const s = forwarderStats()
      const at = wallNow()
      samples.push({ at, backlog: s.backlog, lagMs: s.lagMs })
      if (s.backlog === 0 && s.reroutes === 0) return resolve({ samples, settledAt: at })
      if (Date.now() > deadline) return reject(new Error(`forwarder backlog ${s.backlog} after ${timeoutMs} ms (${s.state}; last error: ${s.lastError})`))
      setTimeout(look, 5)
    }
    look()
  })
}

serve<ServerApi>({
  start: (arg) => (arg.mode === 'gateway' ? startGateway(arg) : startBaseline(arg)),
  sample: () => {
    const cpu = process.cpuUsage()
    const mem = process.memoryUsage()
    const s: Sample = {
      at: performance.timeOrigin + performance.now(),
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    }
    if (gateway?.ingest) {
      s.counters = { ...gateway.ingest.counters }
      s.commits = { ...commitStats }
    }
    return s
  },
  rowCount: () => {
    if (!gateway) return 0
    const row = gatewayDb(gateway).prepare('SELECT count(*) AS n FROM readings').get() as { n: number }
    return row.n
  },
  forwarderWatch: () => {
    forwarderStats()
    if (watch) clearInterval(watch.timer)
    const samples: ForwarderTrace['samples'] = []
    const timer = setInterval(() => {
      const s = forwarderStats()
      samples.push({ at: wallNow(), backlog: s.backlog, lagMs: s.lagMs })
    }, SAMPLE_MS)
    watch = { samples, timer }
    return null
  },
  forwarderSettled: ({ timeoutMs }) => forwarderSettled(timeoutMs),
  setUpJob: async (arg) => (await import('./job-fixture.js')).setUpJob(requireHarness(), arg),
  holdStart: async ({ jobId }) => (await import('./job-fixture.js')).holdStart(requireHarness(), jobId),
  settledRss: async () => {
    const gc = (globalThis as { gc?: () => void }).gc
    if (!gc) throw new Error('settledRss: start the server child with --expose-gc')
    // Twice, with a turn between: the first GC's finalizers free more for the second.
    gc()
    await new Promise((r) => setImmediate(r))
    gc()
    const heapUsed = process.memoryUsage().heapUsed
    const mqtt = gateway?.health().mqtt as { connected?: number } | undefined
    // The young generation stays as large as it last grew; only V8's memory reducer shrinks it.
    const youngBytes = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? -1
    return { rss: await stableRss(), heapUsed, youngBytes, connectedClients: mqtt?.connected ?? -1 }
  },
  stop: async () => {
    if (watch) clearInterval(watch.timer)
    await harness?.close()
    if (baseline) {
      const { aedes, server } = baseline
      server.close()
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    return null
  },
})
