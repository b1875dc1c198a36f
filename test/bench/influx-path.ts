/**
 * Helpers of the bench's InfluxDB path: the database each scenario writes to (laid out by the
 * gateway's own setup), influxd's CPU time and memory, and the forwarder's lag
 * under load from the samples server.ts took.
 */
import { readFileSync } from 'node:fs'
import { InfluxConnection } from '../../gateway/sinks/influx/influx-client.js'
import type { ForwarderTrace } from './server.js'
import { percentile } from './stats.js'

/** One database per scenario, so that counts never mix. */
export const benchDatabase = (scenarioId: string): string => `bench_${scenarioId.replace(/\W/g, '_')}`

/** Creates the database, retention policies and continuous query exactly as the gateway does. */
export async function setUpDatabase(url: string, database: string): Promise<void> {
  await new InfluxConnection({ url, database, username: undefined, password: undefined, batchPoints: 5000, inServiceRetention: '400d' }).setup()
}

/** CPU seconds a process has used (Linux /proc; USER_HZ = 100), or undefined. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after "(comm)": state is field 3, utime 14 and stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return undefined
  }
}

/** Resident memory of a process in bytes (Linux /proc), or undefined. */
export function processRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

export interface LagSummary {
  /** Age of the oldest reading not yet in InfluxDB, sampled while the load ran. */
  lagP50: number
  lagP99: number
  lagMax: number
  backlogMax: number
  /** Last PUBACK → backlog empty. */
  drainMs: number
}

/** Largest f(x), 0 for none: a loop, since a spread of a long run's samples could overflow the stack. */
function maxOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let max = 0
  for (const x of xs) max = Math.max(max, f(x))
  return max
}

export function summarizeLag(trace: ForwarderTrace, loadEndAt: number): LagSummary {
  const underLoad = trace.samples.filter((s) => s.at <= loadEndAt)
  const lags = Float64Array.from(underLoad, (s) => s.lagMs).sort()
  return {
    lagP50: percentile(lags, 0.5),
    lagP99: percentile(lags, 0.99),
    lagMax: percentile(lags, 1),
    backlogMax: maxOf(trace.samples, (s) => s.backlog),
    drainMs: Math.max(0, trace.settledAt - loadEndAt),
  }
}
