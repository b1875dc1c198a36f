/**
 * `stack`, `stack8`: what users build instead of the gateway, fed the same load as the
 * gateway → InfluxDB scenarios: Debian mosquitto (its defaults: max_queued_messages 1000,
 * max_inflight_messages 20) → Node-RED 4 `mqtt in` (QoS 1) → function (points, batched as the
 * gateway's forwarder batches) → `influxdb batch` (node-red-contrib-influxdb) → the same
 * influxd, into a database laid out as the gateway's. Throughput = readings in InfluxDB /
 * (first publish → the last time influxd took points); loss = readings mosquitto acknowledged
 * (PUBACK) that never reached InfluxDB.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { influxQuery, telemetryReadings, type InfluxServer } from '../helpers/influx-server.js'
import { benchDatabase, processCpuSeconds, processRssBytes, setUpDatabase } from './influx-path.js'
import { spawnChild } from './ipc.js'
import type { Track } from './job-scenarios.js'
import type { LoadApi, RunResult } from './load.js'
import { READINGS_PER_MESSAGE, type PayloadKind } from './payloads.js'
import type { StackInstall } from './stack-install.js'

export interface StackOutcome {
  id: string
  kind: PayloadKind
  /** mosquitto's max_queued_messages: undefined = its default (1000), 0 = no limit. */
  maxQueued: number | undefined
  messages: number
  /** Readings mosquitto acknowledged in the measured run, and how many of them reached InfluxDB. */
  acknowledged: number
  inInflux: number
  seconds: number
  readingsPerSec: number
  run: RunResult
  cpu: { mosquitto?: number; nodeRed?: number; influxd?: number }
  rss: { mosquitto?: number; nodeRed?: number }
  /** What mosquitto and Node-RED logged about the loss (lines that match, counted; the first one of each kind). */
  logs: { pattern: string; count: number; first: string }[]
}

/** Log lines that say where messages went: mosquitto dropping, Node-RED's MQTT client or InfluxDB writes failing. */
const TELLING = [/dropped/i, /node-red-bench.*(disconnect|closed|timeout)/i, /\[error\]/i, /\[warn\] \[/i]

/** No growth for this long = the rest was lost (Node-RED was seen to pause for seconds with a long queue). */
const QUIET_MS = 6000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()))
  const addr = srv.address()
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  if (typeof addr !== 'object' || !addr) throw new Error('no free port')
  return addr.port
}

async function waitForPort(port: number, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)))
      s.on('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`${what} is not listening on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await sleep(50)
  }
}

/** A spawned server process, killed (SIGKILL after 3 s) by close(). */
interface Proc {
  p: ChildProcess
  output: string[]
  telling: Map<string, { count: number; first: string }>
  kill(): void
  close(): Promise<void>
}

function proc(cmd: string, args: string[], label: string, onLine?: (line: string) => void): Proc {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  const telling = new Map<string, { count: number; first: string }>()
  const onData = (buf: Buffer): void => {
    for (const line of buf.toString().split('\n')) {
      if (line === '') continue
      if (output.length < 200) output.push(line)
      for (const re of TELLING) {
        if (!re.test(line)) continue
        const key = `${label} ${re.source}`
        const t = telling.get(key)
        if (t) t.count++
        else telling.set(key, { count: 1, first: line.slice(0, 300) })
      }
      onLine?.(line)
    }
  }
  p.stdout?.on('data', onData)
  p.stderr?.on('data', onData)
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()))
  p.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`  ${label} exited with code ${code}:\n    ${output.slice(-10).join('\n    ')}\n`)
  })
  return {
    p,
    output,
    telling,
    kill: () => void p.kill('SIGKILL'),
    async close() {
      if (p.exitCode !== null || p.signalCode !== null) return
      p.kill('SIGTERM')
      const t = setTimeout(() => p.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(t)
    },
  }
}

async function startNodeRed(install: StackInstall, dir: string, vars: Record<string, string>): Promise<Proc> {
  let flow = readFileSync(new URL('./node-red-flow.json', import.meta.url), 'utf8')
  for (const [k, v] of Object.entries(vars)) flow = flow.replaceAll(`\${${k}}`, v)
  writeFileSync(join(dir, 'flows.json'), flow)
  const uiPort = await freePort()
  writeFileSync(
    join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify({ uiHost: '127.0.0.1', uiPort, flowFile: 'flows.json', credentialSecret: false, disableEditor: true, logging: { console: { level: 'info', metrics: false, audit: false } } })}\n`,
  )
  let started = false
  let connected = false
  let missing = ''
  const red = proc(process.execPath, [join(install.nodeRedDir, 'node_modules', 'node-red', 'red.js'), '--userDir', dir, '--settings', join(dir, 'settings.js')], 'node-red', (line) => {
    if (line.includes('Started flows')) started = true
    if (line.includes('Connected to broker')) connected = true
    if (line.includes('Waiting for missing types')) missing = line
  })
  const deadline = Date.now() + 90_000
  while (!(started && connected)) {
    if (missing) throw new Error(`node-red: ${missing}`)
    if (red.p.exitCode !== null) throw new Error(`node-red exited: ${red.output.slice(-10).join(' | ')}`)
    if (Date.now() > deadline) throw new Error(`node-red not ready after 90 s (started flows: ${started}, connected to mosquitto: ${connected}): ${red.output.slice(-10).join(' | ')}`)
    await sleep(100)
  }
  return red
}

/**
 * Points influxd has taken in /write requests since it started (its `write` statistics): O(1)
 * to ask, unlike `count(*)`, which scans every stored value (160-640 ms of influxd's CPU for a
 * million readings on the 2-core machine) and, polled while Node-RED drained, took that CPU
 * from the stack under test.
 */
async function pointsWritten(url: string): Promise<{ points: number; inFlight: number }> {
  const [stats] = await influxQuery(url, "SHOW STATS FOR 'write'")
  const s = stats?.series?.[0]
  const get = (column: string): number => {
    const v = s?.values[0]?.[s.columns.indexOf(column)]
    if (typeof v !== 'number') throw new Error(`influxd's SHOW STATS FOR 'write' has no ${column}: ${JSON.stringify(stats).slice(0, 200)}`)
    return v
  }
  // pointReq counts a request's points when it is parsed; the others when it has ended.
  return { points: get('pointReq'), inFlight: get('req') - get('writeOk') - get('writeError') - get('writeDrop') - get('writeTimeout') }
}

/**
 * Polls influxd's write counter until `expectedPoints` more than `start` have arrived and been
 * written, or it has not grown for `quietMs` (points were lost), or `timeoutMs` passed; returns
 * when it last grew and what `atGrowth` gave then (the CPU times up to the end of the work, not
 * of the quiet wait). The readings are counted once, after.
 */
async function settled<T>(url: string, start: number, expectedPoints: number, quietMs: number, timeoutMs: number, atGrowth: () => T): Promise<{ lastGrewAt: number; atLastGrowth: T }> {
  let seen = start
  let lastGrewAt = performance.timeOrigin + performance.now()
  let atLastGrowth = atGrowth()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await sleep(50)
    const now = performance.timeOrigin + performance.now()
    const { points, inFlight } = await pointsWritten(url)
    if (points !== seen) {
      seen = points
      lastGrewAt = now
      atLastGrowth = atGrowth()
    }
    // All there, and written: a count(*) now sees every one of them.
    if (seen - start >= expectedPoints && inFlight === 0) return { lastGrewAt, atLastGrowth }
    if (now - lastGrewAt >= quietMs || Date.now() > deadline) return { lastGrewAt, atLastGrowth }
  }
}

export async function runStack(
  track: Track,
  install: StackInstall,
  influx: InfluxServer,
  /** runId names the run's InfluxDB database (a stack id runs several times: its pairs). */
  s: { id: string; runId?: string; kind: PayloadKind; clients: number; window: number; warmPer: number; measuredPer: number; maxQueued?: number },
): Promise<StackOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'hvac-bench-stack-'))
  const database = benchDatabase(s.runId ?? s.id)
  const mqttPort = await freePort()
  // Defaults otherwise: what `apt-get install mosquitto` runs with (max_queued_messages 1000).
  const maxQueued = s.maxQueued === undefined ? '' : `max_queued_messages ${s.maxQueued}\n`
  writeFileSync(join(dir, 'mosquitto.conf'), `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n${maxQueued}`)
  const mosq = track(proc(install.mosquitto, ['-c', join(dir, 'mosquitto.conf')], 'mosquitto'))
  let red: Proc | undefined
  const load = track(spawnChild<LoadApi>('./load.ts', `load:${s.id}`))
  try {
    await waitForPort(mqttPort, 'mosquitto', 10_000)
    await setUpDatabase(influx.url, database)
    red = track(await startNodeRed(install, dir, { MQTT_PORT: String(mqttPort), INFLUX_PORT: String(influx.port), INFLUX_DB: database, INFLUX_RP: 'in_service', BATCH: '5000' }))
    const creds = Array.from({ length: s.clients }, (_, k) => ({ clientId: `bench-pub-${k}` }))
    const topics = creds.map((_, k) => `v1/devices/bench-meter-${k}/telemetry`)
    await load.call('connect', { url: `mqtt://127.0.0.1:${mqttPort}`, creds, topics })
    const perMsg = READINGS_PER_MESSAGE[s.kind]
    let ts = Date.now() - 10 * 60_000
    const cpuNow = () => ({ mosquitto: processCpuSeconds(mosq.p.pid), nodeRed: processCpuSeconds(red!.p.pid), influxd: processCpuSeconds(influx.pid) })
    const warmFrom = (await pointsWritten(influx.url)).points
    const warmRun = load.call('run', { kind: s.kind, perClient: s.warmPer, window: s.window, tsStart: ts }, 90_000)
    await settled(influx.url, warmFrom, s.warmPer * s.clients, QUIET_MS, 60_000, () => null)
    await warmRun
    ts += s.warmPer
    const warmCount = await telemetryReadings(influx.url, database)
    const from = (await pointsWritten(influx.url)).points
    const cpu0 = cpuNow()
    // Watched from the first publish on: the counter is read while the stack works.
    const watching = settled(influx.url, from, s.measuredPer * s.clients, QUIET_MS, 120_000, cpuNow)
    const run = await load.call('run', { kind: s.kind, perClient: s.measuredPer, window: s.window, tsStart: ts }, 120_000)
    const end = await watching
    const cpu1 = end.atLastGrowth
    const endCount = await telemetryReadings(influx.url, database)
    const wallS = (end.lastGrewAt - run.firstPublishAt) / 1000
    const share = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : (b - a) / wallS)
    const inInflux = endCount - warmCount
    await load.call('disconnect', null).catch(() => null)
    return {
      id: s.id,
      kind: s.kind,
      maxQueued: s.maxQueued,
      messages: run.messages,
      acknowledged: run.messages * perMsg,
      inInflux,
      seconds: wallS,
      readingsPerSec: wallS > 0 ? inInflux / wallS : 0,
      run,
      cpu: { mosquitto: share(cpu0.mosquitto, cpu1.mosquitto), nodeRed: share(cpu0.nodeRed, cpu1.nodeRed), influxd: share(cpu0.influxd, cpu1.influxd) },
      rss: { mosquitto: processRssBytes(mosq.p.pid), nodeRed: processRssBytes(red.p.pid) },
      logs: [...mosq.telling, ...red.telling].map(([pattern, t]) => ({ pattern, ...t })),
    }
  } finally {
    await load.close()
    await red?.close()
    await mosq.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
