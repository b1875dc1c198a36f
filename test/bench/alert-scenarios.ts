/**
 * The bench's alert scenarios (issue 11), each in fresh processes (alert-server.ts: the
 * gateway; load.ts / alert-load.ts: the devices):
 * - alert-latency: reading-to-alert latency p50/p99, publish of a leakage reading over the
 *   limit → the alert on the team's MQTT topics, while the gateway ingests at half its
 *   maximum, the maximum measured first in the same run (4 connections, 200 in flight, 1
 *   reading/msg, GW_SYNC=normal). Target p99 ≤ 50 ms.
 * - silence-10k: process CPU time per simulated hour of a gateway watching 10,000 in-service
 *   units for silence, against the same gateway with none (same-run baseline, measured first).
 *   The manual clock moves in 1 s steps over 90 % of the pack's silence time, so no unit is
 *   due yet: what is measured is the watching, not 10,000 offline alerts.
 * Skipped, with a line saying so, when the gateway has no alerts yet.
 */
import type { AlertLoadApi, AlertProbeResult, BackgroundResult } from './alert-load.js'
import type { AlertServerApi } from './alert-server.js'
import { spawnChild } from './ipc.js'
import type { Track } from './job-scenarios.js'
import type { LoadApi } from './load.js'
import { fmtInt, fmtMs } from './stats.js'

export const ALERT_LATENCY_TARGET_MS = 50
/** The one team of the bench's teams file (alert-server.ts). */
export const BENCH_TEAM = 'bench'

export type AlertLatencyOutcome =
  | { skipped: string }
  | { maxMsgPerSec: number; background: BackgroundResult; targetRate: number; probe: AlertProbeResult }

export type SilenceOutcome =
  | { skipped: string }
  | { units: number; windowS: number; baseline: { cpuUs: number; wallMs: number }; watched: { cpuUs: number; wallMs: number }; offlineDuringWindow: number; registerMs: number }

const CLIENTS = 4

export async function runAlertLatency(track: Track, scale: number): Promise<AlertLatencyOutcome> {
  const server = track(spawnChild<AlertServerApi>('./alert-server.ts', 'server:alert-latency'))
  const load = track(spawnChild<LoadApi>('./load.ts', 'load:alert-latency'))
  const probe = track(spawnChild<AlertLoadApi>('./alert-load.ts', 'alert-load:alert-latency'))
  try {
    const start = await server.call('start', { devices: CLIENTS })
    if (start.unsupported) return { skipped: start.unsupported }
    const units = await server.call('inService', { prefix: 'bench-probe-', count: Math.max(20, Math.round(100 * Math.min(1, scale))), parallel: 8, since: Date.now() - 60_000 })
    const service = await server.call('service', null)
    // 1. The maximum: as fast as 4 connections × 200 in flight are acknowledged (warm-up first).
    await load.call('connect', { url: start.url, creds: start.creds })
    const tsStart = Date.now() - 7 * 24 * 3600_000
    const per = Math.max(2000, Math.round(40_000 * scale))
    await load.call('run', { kind: 'single', perClient: Math.round(per / 4), window: 200, tsStart }, 90_000)
    const max = await load.call('run', { kind: 'single', perClient: per, window: 200, tsStart: tsStart + per }, 120_000)
    await load.call('disconnect', null)
    const maxMsgPerSec = max.messages / ((max.lastAckAt - max.firstPublishAt) / 1000)
    // 2. Half of it as background, the probes one at a time on top.
    const targetRate = maxMsgPerSec / 2
    await probe.call('backgroundStart', { url: start.url, creds: start.creds, ratePerSec: targetRate, tsStart: tsStart + 2 * per })
    await new Promise((r) => setTimeout(r, 1000))
    const result = await probe.call('probe', { url: start.url, service, units, team: BENCH_TEAM, timeoutMs: 5000, gapMs: 50 }, units.length * 5_500 + 10_000)
    const background = await probe.call('backgroundStop', null, 60_000)
    await server.call('stop', null)
    return { maxMsgPerSec, background, targetRate, probe: result }
  } finally {
    for (const c of [probe, load, server]) await c.close()
  }
}

export async function runSilence(track: Track, scale: number): Promise<SilenceOutcome> {
  const server = track(spawnChild<AlertServerApi>('./alert-server.ts', 'server:silence-10k'))
  try {
    const t0 = Date.UTC(2026, 10, 1, 0, 0, 0)
    const start = await server.call('start', { devices: 0, manualClockAt: t0 })
    if (start.unsupported || start.silenceS === null) return { skipped: start.unsupported ?? 'no silence time in the pack' }
    const windowMs = Math.floor(start.silenceS * 0.9) * 1000
    const step = { totalMs: windowMs, stepMs: 1000, pauseMs: 1 }
    const baseline = await server.call('advance', step, 300_000)
    const units = Math.max(500, Math.round(10_000 * Math.min(1, scale)))
    const r0 = performance.now()
    await server.call('inService', { prefix: 'bench-silent-', count: units, parallel: 32, since: t0 + windowMs }, 600_000)
    const registerMs = performance.now() - r0
    const watched = await server.call('advance', step, 300_000)
    const offlineDuringWindow = await server.call('alertCount', { fault: 'offline' })
    await server.call('stop', null)
    return { units, windowS: windowMs / 1000, baseline, watched, offlineDuringWindow, registerMs }
  } finally {
    await server.close()
  }
}

export function alertLines(latency: AlertLatencyOutcome | undefined, silence: SilenceOutcome | undefined): string[] {
  const out: string[] = []
  if (latency && 'skipped' in latency) out.push(`alert-latency: SKIPPED: ${latency.skipped}`)
  else if (latency) {
    const p = latency.probe
    const b = latency.background
    out.push(
      `reading-to-alert: ${fmtInt(p.probes)} in-service units, one at a time, each publishes one leakage reading of 6 mA (limit 3.5 mA); ` +
        `latency = publish → the first message on v1/teams/${BENCH_TEAM}/# naming the unit (a service device's subscription); ` +
        `background ${fmtInt(b.acked / b.seconds)} msg/s acknowledged (target ${fmtInt(latency.targetRate)} = half the ${fmtInt(latency.maxMsgPerSec)} msg/s measured first` +
        `${b.starved > 0 ? `; ${fmtInt(b.starved)} slices short of the rate (${200} in flight)` : ''}).`,
      `reading-to-alert p50 ${fmtMs(p.latency.p50)} ms, p99 ${fmtMs(p.latency.p99)} ms, max ${fmtMs(p.latency.max)} ms (target p99 ≤ ${ALERT_LATENCY_TARGET_MS} ms) ` +
        `${p.missed === 0 && p.latency.p99 <= ALERT_LATENCY_TARGET_MS ? 'MET' : 'MISSED'}${p.missed > 0 ? `; ${p.missed} of ${p.probes} never seen within 5 s` : ''}`,
    )
  }
  if (silence && 'skipped' in silence) out.push(`silence-10k: SKIPPED: ${silence.skipped}`)
  else if (silence) {
    const perHour = (cpuUs: number) => (cpuUs / 1e6) * (3600 / silence.windowS)
    const base = perHour(silence.baseline.cpuUs)
    const watched = perHour(silence.watched.cpuUs)
    out.push(
      `silence watching: manual clock moved ${silence.windowS} s (90 % of the pack's silence time, so no unit is due) in 1 s steps with a timer turn between, ` +
        `the gateway process's CPU time scaled to a simulated hour; first with 0 in-service units, then with ${fmtInt(silence.units)} (registered in ${(silence.registerMs / 1000).toFixed(1)} s).`,
      `silence-10k: ${fmtInt(silence.units)} units ${watched.toFixed(3)} CPU s per simulated hour vs ${base.toFixed(3)} s with none = +${(watched - base).toFixed(3)} s ` +
        `(${(((watched - base) / silence.units) * 1e6).toFixed(1)} µs per unit-hour); offline alerts raised in the window: ${silence.offlineDuringWindow}${silence.offlineDuringWindow > 0 ? ' ← MISSED: none was due' : ''}`,
    )
  }
  return out
}
