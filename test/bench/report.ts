/**
 * The bench's outcomes and the tables it prints: MQTT ingest against plain aedes, and the
 * InfluxDB path against influxd alone.
 */
import type { LagSummary } from './influx-path.js'
import type { WriteResult } from './influx-writer.js'
import type { RunResult } from './load.js'
import type { PayloadKind } from './payloads.js'
import type { Sample, StartResult } from './server.js'
import { fmtInt, fmtMs, mb, table } from './stats.js'

/** Other CPU (in cores) above which a row is flagged as disturbed by other work on the machine. */
export const NOISY = 0.25

export interface Scenario {
  id: string
  label: string
  /**
   * baseline: plain aedes relaying to a subscriber; ceiling: aedes acknowledging with nothing
   * stored and no subscriber; gateway: the gateway under MQTT load; influx: influxd alone.
   */
  mode: 'baseline' | 'ceiling' | 'gateway' | 'influx'
  sync?: 'full' | 'normal'
  /** The gateway forwards to InfluxDB; its run ends when every reading is there. */
  forwards?: boolean
  kind: PayloadKind
  /** Messages (influx: points) in the measured run, all connections (devices) together. */
  messages: number
  warmup: number
}

export interface Outcome {
  scenario: Scenario
  messages: number
  readings: number
  seconds: number
  /** Baseline: messages received by the subscriber per second; gateway: messages acknowledged (= stored) per second. */
  msgPerSec: number
  readingsPerSec: number
  run: RunResult
  serverCpu: number
  loadCpu: number
  subCpu?: number
  /** CPU used by processes other than this bench's during the measured run, in cores (estimate). */
  otherCpu?: number
  after: Sample
  start: StartResult
  commits?: { commits: number; meanBatch: number; maxBatch: number; meanMs: number; loopShare: number }
  stored?: { expected: number; counted: number; rows: number; rowsExpected: number; duplicates: number; quarantined: number; ok: boolean }
  /** Gateway forwarding to InfluxDB: first publish → every reading in InfluxDB, and the forwarder's lag meanwhile. */
  forwarding?: ForwardingOutcome
  /** Measured runs made (2 when the first was disturbed by other work; the less disturbed one is shown). */
  attempts: number
}

export interface ForwardingOutcome {
  seconds: number
  readingsPerSec: number
  lag: LagSummary
  /** influxd's CPU over the run (cores), and its resident memory after it. */
  influxCpu: number | undefined
  influxRss: number | undefined
  /** Readings in InfluxDB after the run, all runs of the scenario together, and how many were acknowledged. */
  inInflux: number
  acknowledged: number
}

/** The InfluxDB baseline: influxd's own write rate for the points the forwarder would write. */
export interface InfluxBaseOutcome {
  scenario: Scenario
  points: number
  readings: number
  seconds: number
  readingsPerSec: number
  write: WriteResult
  influxCpu: number | undefined
  influxRss: number | undefined
  writerCpu: number
  otherCpu?: number
  inInflux: number
  acknowledged: number
  attempts: number
}

export const pct = (x: number | undefined): string => (x === undefined ? '?' : `${Math.round(x * 100)}%`)
export const rssMb = (bytes: number | undefined): string => (bytes === undefined ? '?' : mb(bytes))
const fmtOther = (x: number | undefined): string => (x === undefined ? '?' : `${pct(x)}${x > NOISY ? ' ⚠' : ''}`)

/** The InfluxDB path: per payload kind, the baseline row, then the gateway rows against it. */
export function reportInflux(bases: InfluxBaseOutcome[], gateways: Outcome[]): string {
  const rows: string[][] = [
    ['scenario', 'points', 'readings', 's', 'readings/s into InfluxDB', 'vs InfluxDB alone', 'PUBACK msg/s', 'write p50/p99 ms', 'lag p50/p99/max ms', 'max backlog', 'drain ms', 'CPU gw/load/influxd', 'other CPU', 'RSS MB gw/influxd', 'gw heap MB', 'in InfluxDB'],
  ]
  const check = (n: number, of: number): string => (n === of ? `ok ${fmtInt(n)}` : `LOST: ${fmtInt(n)} of ${fmtInt(of)}`)
  for (const kind of ['single', 'eight'] as const) {
    const b = bases.find((x) => x.scenario.kind === kind)
    if (b) rows.push([
      `${b.scenario.label}${b.attempts > 1 ? ' ²' : ''}`,
      fmtInt(b.points),
      fmtInt(b.readings),
      b.seconds.toFixed(2),
      fmtInt(b.readingsPerSec),
      '',
      '',
      `${fmtMs(b.write.latency.p50)}/${fmtMs(b.write.latency.p99)}`,
      '',
      '',
      '',
      `-/${pct(b.writerCpu)}/${pct(b.influxCpu)}`,
      fmtOther(b.otherCpu),
      `-/${rssMb(b.influxRss)}`,
      '',
      check(b.inInflux, b.acknowledged),
    ])
    for (const o of gateways.filter((g) => g.scenario.kind === kind)) {
      const f = o.forwarding!
      rows.push([
        `${o.scenario.label}${o.attempts > 1 ? ' ²' : ''}`,
        fmtInt(o.messages),
        fmtInt(o.readings),
        f.seconds.toFixed(2),
        fmtInt(f.readingsPerSec),
        b ? `${(f.readingsPerSec / b.readingsPerSec).toFixed(2)}×` : '',
        fmtInt(o.msgPerSec),
        '',
        `${fmtMs(f.lag.lagP50)}/${fmtMs(f.lag.lagP99)}/${fmtMs(f.lag.lagMax)}`,
        fmtInt(f.lag.backlogMax),
        fmtInt(f.lag.drainMs),
        `${pct(o.serverCpu)}/${pct(o.loadCpu)}/${pct(f.influxCpu)}`,
        fmtOther(o.otherCpu),
        `${mb(o.after.rss)}/${rssMb(f.influxRss)}`,
        mb(o.after.heapUsed),
        check(f.inInflux, f.acknowledged),
      ])
    }
  }
  return table(rows)
}

export function report(outcomes: Outcome[], base: Outcome | undefined): string {
  const rows: string[][] = [
    ['scenario', 'messages', 'readings', 's', 'msg/s', 'readings/s', 'vs base', 'PUBACK p50 ms', 'p99 ms', 'max ms', 'CPU srv/load/sub', 'other CPU', 'srv RSS MB', 'heap MB', 'stored check'],
  ]
  for (const o of outcomes) {
    const cpu = [o.serverCpu, o.loadCpu, o.subCpu].filter((x): x is number => x !== undefined).map((x) => `${Math.round(x * 100)}%`).join('/')
    const check = o.stored
      ? o.stored.ok
        ? `ok ${fmtInt(o.stored.counted)}`
        : `LOST: ${fmtInt(o.stored.counted)} of ${fmtInt(o.stored.expected)} (dup ${o.stored.duplicates}, quar ${o.stored.quarantined}, rows ${o.stored.rows}/${o.stored.rowsExpected})`
      : o.scenario.mode === 'ceiling' ? 'n/a (nothing stored)' : 'n/a (relay)'
    rows.push([
      `${o.scenario.label}${o.attempts > 1 ? ' ²' : ''}`,
      fmtInt(o.messages),
      o.scenario.mode === 'gateway' ? fmtInt(o.readings) : '-',
      o.seconds.toFixed(2),
      fmtInt(o.msgPerSec),
      o.scenario.mode === 'gateway' ? fmtInt(o.readingsPerSec) : '-',
      base && o.scenario.mode === 'gateway' && o.scenario.kind === 'single' ? `${(o.msgPerSec / base.msgPerSec).toFixed(2)}×` : '',
      fmtMs(o.run.latency.p50),
      fmtMs(o.run.latency.p99),
      fmtMs(o.run.latency.max),
      cpu,
      fmtOther(o.otherCpu),
      mb(o.after.rss),
      mb(o.after.heapUsed),
      check,
    ])
  }
  return table(rows)
}

