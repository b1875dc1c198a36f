/**
 * The bench's job scenarios, each in fresh processes (server.ts: the gateway; load.ts: the
 * devices):
 * - ack-quiet / ack-500k: PUBACK latency of unrelated devices publishing at a steady rate
 *   while a job's meter sends live readings at 10 Hz into an open 24 h VRF tightness step,
 *   once with the step empty and once with 500,000 readings in it (issue 8: p99 within 1.5×).
 * - verdict: reading-to-verdict latency, publish of a reading → the job's status message
 *   (v1/jobs/<id>/status, subscribed by the attached meter) whose verdict shows that reading.
 * GW_SYNC=normal in both: the figure is the event loop's work, not the disk's fsync jitter
 * (on a machine shared with other work, that jitter alone moves a p99 by milliseconds).
 */
import { spawnChild, type ChildHandle } from './ipc.js'
import type { JobSetupResult } from './job-fixture.js'
import type { LoadApi } from './load.js'
import type { PacedResult, ProbeResult } from './paced-load.js'
import type { ServerApi } from './server.js'

type Killable = Pick<ChildHandle<Record<string, never>>, 'kill' | 'close'>
export type Track = <C extends Killable>(c: C) => C

export interface AckLatencyOutcome {
  id: string
  label: string
  /** Readings in the open step before the measurement (0 for the quiet run). */
  jobReadings: number
  setup: JobSetupResult
  paced: PacedResult
  live: { sent: number; acked: number }
  /** Reading-to-verdict of readings that continue the hold, after the PUBACK measurement. */
  probe: ProbeResult
  rateMsgPerSec: number
  /** Rows in the readings table after the run, and the readings acknowledged over the whole run. */
  stored: { rows: number; acknowledged: number }
  serverCpu: number
  rss: number
  heapUsed: number
}

export interface VerdictOutcome {
  probe: ProbeResult
}

/** 24 h at 2 Hz on the 3 channels the tightness step reads ≈ 500,000 readings. */
const BIG_SAMPLES = 166_667
const UNRELATED = 4
const INTERVAL_MS = 20
/** Readings per live meter message (paced-load.ts liveStart). */
const LIVE_CHANNELS = 3

async function closeAll(children: (Killable | undefined)[]): Promise<void> {
  for (const c of children) await c?.close()
}

export async function runAckLatency(track: Track, id: string, big: boolean, scale: number): Promise<AckLatencyOutcome> {
  const server = track(spawnChild<ServerApi>('./server.ts', `server:${id}`))
  const load = track(spawnChild<LoadApi>('./load.ts', `load:${id}`))
  try {
    const start = await server.call('start', { mode: 'gateway', sync: 'normal', devices: UNRELATED })
    // The bulk load is part of the set-up: up to a few minutes on a slow machine.
    const samples = big ? Math.max(1000, Math.round(BIG_SAMPLES * Math.min(1, scale))) : 0
    const setup = await server.call(
      'setUpJob',
      { jobId: `bench-${id}`, deviceId: `bench-vrf-${id}`, ...(big ? { bulk: { samples, stepMs: 500, samplesPerMessage: 500 } } : {}) },
      240_000,
    )
    await load.call('pacedConnect', { url: start.url, creds: start.creds })
    await load.call('liveStart', { url: start.url, cred: setup.cred, intervalMs: 100, tsFrom: setup.liveFrom })
    const tsStart = Date.now() - 7 * 24 * 3600_000
    // Warm-up: the live meter's first evaluations and the JIT, not measured.
    const warm = await load.call('pacedRun', { intervalMs: INTERVAL_MS, durationMs: 2000, tsStart }, 60_000)
    const durationMs = Math.max(4000, Math.round(10_000 * scale))
    const before = await server.call('sample', null)
    const paced = await load.call('pacedRun', { intervalMs: INTERVAL_MS, durationMs, tsStart: tsStart + 1000 }, durationMs + 60_000)
    const after = await server.call('sample', null)
    const live = await load.call('liveStop', null, 60_000)
    await load.call('pacedDisconnect', null)
    // Reading-to-verdict in this step: readings that continue the hold, one at a time.
    const jobId = `bench-${id}`
    const holdStartTs = await server.call('holdStart', { jobId }, 60_000)
    const probeCount = Math.max(10, Math.round(30 * scale))
    const probe = await load.call(
      'verdictProbe',
      { kind: 'hold', url: start.url, cred: setup.cred, jobId, count: probeCount, timeoutMs: 10_000, holdStartTs, afterTs: live.lastTs },
      probeCount * 10_500,
    )
    const rows = await server.call('rowCount', null)
    const acknowledged = setup.bulkStored + live.acked * LIVE_CHANNELS + warm.messages + paced.messages + (probe.probes - probe.missed) * LIVE_CHANNELS
    await server.call('stop', null)
    const cpuUs = after.cpuUserUs + after.cpuSystemUs - before.cpuUserUs - before.cpuSystemUs
    return {
      id,
      label: big ? `${setup.bulkStored.toLocaleString('en-US')} readings in the open step` : 'open step, no readings before',
      jobReadings: setup.bulkStored,
      setup,
      paced,
      live,
      probe,
      rateMsgPerSec: (UNRELATED * 1000) / INTERVAL_MS,
      stored: { rows, acknowledged },
      serverCpu: cpuUs / ((after.at - before.at) * 1000),
      rss: after.rss,
      heapUsed: after.heapUsed,
    }
  } finally {
    await closeAll([load, server])
  }
}

export async function runVerdictLatency(track: Track, scale: number): Promise<VerdictOutcome> {
  const server = track(spawnChild<ServerApi>('./server.ts', 'server:verdict'))
  const load = track(spawnChild<LoadApi>('./load.ts', 'load:verdict'))
  try {
    const start = await server.call('start', { mode: 'gateway', sync: 'normal', devices: 0 })
    const setup = await server.call('setUpJob', { jobId: 'bench-verdict', deviceId: 'bench-verdict-meter' })
    const count = Math.max(50, Math.round(100 * scale))
    const probe = await load.call('verdictProbe', { kind: 'pressurise', url: start.url, cred: setup.cred, jobId: 'bench-verdict', count, timeoutMs: 10_000 }, count * 10_500)
    await server.call('stop', null)
    return { probe }
  } finally {
    await closeAll([load, server])
  }
}
