/**
 * A real InfluxDB 1.x server (Debian's `influxd`) for a test: loopback only, free ports, a
 * temp dir for meta/data/wal, reporting and the _internal monitor off, HTTP auth off.
 * stop() and start() again keep the same data dir and ports (the fault test restarts it
 * under a running gateway); close() stops it and removes the dir. A test that needs it
 * fails (never skips) when influxd is not installed: run ./test/setup.sh.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { qualified } from '../../gateway/sinks/influx/influx-schema.js'

export interface InfluxServer {
  /** http://127.0.0.1:<port> */
  readonly url: string
  readonly port: number
  readonly dir: string
  readonly version: string
  readonly running: boolean
  /** influxd's process id while it runs (the bench reads its CPU time). */
  readonly pid: number | undefined
  /** Starts influxd (again, on the same data dir and ports) and waits for /ping → 204. */
  start(): Promise<void>
  /** Stops influxd (SIGTERM, then SIGKILL after 5 s) and waits for the process to exit. */
  stop(): Promise<void>
  /** stop() and remove the data dir. */
  close(): Promise<void>
  /** The last lines influxd wrote (for failure messages). */
  output(): string
}

const INFLUXD = process.env.INFLUXD ?? 'influxd'

/** A free loopback TCP port (bound and released; influxd binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** influxd's version (e.g. "1.6.7~rc0"); throws when it is not installed. */
function installedVersion(): string {
  const probe = spawnSync(INFLUXD, ['version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    throw new Error(`${INFLUXD} is not installed (Debian package "influxdb"; run ./test/setup.sh): ${probe.error?.message ?? probe.stderr}`)
  }
  return /v(\S+)/.exec(probe.stdout)?.[1] ?? probe.stdout.trim()
}

function configText(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  index-version = "inmem"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[continuous_queries]
  log-enabled = false
  enabled = true
  run-interval = "1s"

[logging]
  level = "warn"
  suppress-logo = true
`
}

export async function startInfluxServer(): Promise<InfluxServer> {
  const version = installedVersion()
  const dir = mkdtempSync(join(tmpdir(), 'gw-influx-'))
  const port = await freePort()
  const rpcPort = await freePort()
  const configFile = join(dir, 'influxdb.conf')
  writeFileSync(configFile, configText(dir, port, rpcPort))
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let log = ''

  const server: InfluxServer = {
    url,
    port,
    dir,
    version,
    get running() {
      return child !== undefined
    },
    get pid() {
      return child?.pid
    },
    async start() {
      if (child) return
      const proc = spawn(INFLUXD, ['-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
      child = proc
      const keep = (chunk: Buffer) => {
        log = (log + chunk.toString('utf8')).slice(-8000)
      }
      proc.stdout?.on('data', keep)
      proc.stderr?.on('data', keep)
      exited = new Promise((resolve) =>
        proc.once('exit', () => {
          if (child === proc) child = undefined
          resolve()
        }),
      )
      const deadline = Date.now() + 20_000
      for (;;) {
        if (!child) throw new Error(`influxd exited during start:\n${log}`)
        try {
          const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })
          if (res.status === 204) return
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) {
          await server.stop()
          throw new Error(`influxd did not answer /ping within 20 s:\n${log}`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async stop() {
      const proc = child
      if (!proc) return
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      proc.kill('SIGTERM')
      await exited
      clearTimeout(killer)
      child = undefined
    },
    async close() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
    output: () => log,
  }
  await server.start()
  return server
}

/** Runs InfluxQL against the server and returns the raw JSON results (throws on errors in them). */
export async function influxQuery(url: string, q: string, db?: string): Promise<InfluxResult[]> {
  const body = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) })
  const res = await fetch(`${url}/query`, { method: 'POST', body })
  const json = (await res.json()) as { results?: InfluxResult[]; error?: string }
  if (json.error) throw new Error(json.error)
  for (const r of json.results ?? []) if (r.error) throw new Error(r.error)
  return json.results ?? []
}

export interface InfluxResult {
  error?: string
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]
}

/** Rows of the first series set of a query as objects (column → value); all series concatenated. */
export async function influxRows(url: string, q: string, db?: string): Promise<Record<string, unknown>[]> {
  const [first] = await influxQuery(url, q, db)
  const rows: Record<string, unknown>[] = []
  for (const s of first?.series ?? []) {
    for (const v of s.values) rows.push({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })
  }
  return rows
}

/**
 * Readings in a database's in-service telemetry: every channel field counted (lag_s is not a
 * reading); 0 while no forwarder has created the database.
 */
export async function telemetryReadings(url: string, database: string): Promise<number> {
  const rows = await influxRows(url, `SELECT count(*) FROM ${qualified(database, 'telemetry')}`).catch((err: Error) => {
    if (/database not found/.test(err.message)) return []
    throw err
  })
  let n = 0
  for (const [col, v] of Object.entries(rows[0] ?? {})) if (col.startsWith('count_') && col !== 'count_lag_s') n += Number(v)
  return n
}
