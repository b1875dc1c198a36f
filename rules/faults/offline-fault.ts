/**
 * "Offline": a unit that stops reporting (issue 11; ThingsBoard #8614). Raised by the
 * unit's MQTT last will, by a gateway bridge reporting the unit's `disconnect`, or by no
 * telemetry for the pack's silenceS; cleared when data comes again.
 *
 * Silence is measured on the gateway clock, by arrival: a unit whose clock is wrong still
 * arrives. Watching 10,000 units needs no timer per unit: `silenceDueAt` says when a
 * unit's silence becomes a fault, so the caller keeps one ordered index (or checks on one
 * periodic tick) and calls tick only for units that are due.
 */
import { z } from 'zod'

import type { Reading } from '../../contract/reading.js'
import type { FaultsSection } from './fault-pack-schema.js'
import { msOf, type FaultEvaluator, type FaultTransition, type FaultUnit } from './fault-transition.js'

export type LinkSignal =
  /** Any telemetry of the unit arrived. */
  | 'data'
  /** The broker published the unit's MQTT last will (an ungraceful disconnect, [MQTT-3.1.2-8]). */
  | 'last_will'
  /** A gateway bridge (v1/gateway/disconnect) says the unit behind it went away. */
  | 'bridge_disconnect'

export interface LinkEvent {
  deviceId: string
  signal: LinkSignal
}

export const OfflineStateSchema = z
  .object({
    /** Gateway time of the last telemetry (or of the start of watching), ms. */
    lastSeen: z.number().nullable(),
    offline: z.boolean(),
    reason: z.enum(['silence', 'last_will', 'bridge_disconnect']).nullable(),
    since: z.number().nullable(),
  })
  .strict()
export type OfflineState = z.infer<typeof OfflineStateSchema>

export function dataSignal(reading: Reading): LinkEvent {
  return { deviceId: reading.deviceId, signal: 'data' }
}

/** When silence makes this unit offline (gateway ms), or null if it is offline or not watched yet. */
export function silenceDueAt(faults: FaultsSection, s: OfflineState): number | null {
  return s.offline || s.lastSeen === null ? null : s.lastSeen + msOf(faults.offline.silenceS)
}

/**
 * After the gateway itself was down, a unit's reports in that time were not received: it
 * gets a full silence time from the restart before its silence counts. An offline unit
 * stays offline (its own data will clear it).
 */
export function afterGatewayRestart(s: OfflineState, restartedAt: number): OfflineState {
  if (s.offline || (s.lastSeen !== null && s.lastSeen >= restartedAt)) return s
  return { ...s, lastSeen: restartedAt }
}

export function offlineFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<OfflineState, LinkEvent> {
  const p = faults.offline
  const silenceMs = msOf(p.silenceS)
  const fault = (kind: FaultTransition['kind'], at: number, s: OfflineState, message: string): FaultTransition => ({
    kind,
    deviceId: unit.deviceId,
    fault: 'offline',
    severity: p.severity,
    at,
    value: null,
    peak: null,
    unit: null,
    limit: p.silenceS.value,
    count: 1,
    since: s.since,
    clause: 'faults.offline',
    source: p.silenceS.source,
    message,
  })
  const raise = (s: OfflineState, reason: NonNullable<OfflineState['reason']>, at: number, since: number): { state: OfflineState; transitions: FaultTransition[] } => {
    const next: OfflineState = { ...s, offline: true, reason, since }
    const why =
      reason === 'silence'
        ? `no telemetry for ${p.silenceS.value} s (last at ${new Date(s.lastSeen ?? since).toISOString()})`
        : reason === 'last_will'
          ? 'its MQTT connection dropped (last will)'
          : 'its gateway bridge reported it disconnected'
    return { state: next, transitions: [fault('raise', at, next, `unit offline: ${why}; check power and the network at the site`)] }
  }
  return {
    fault: 'offline',
    initial: () => ({ lastSeen: null, offline: false, reason: null, since: null }),
    parseState(json) {
      const r = OfflineStateSchema.safeParse(json)
      if (!r.success) throw new Error(`offline fault state is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
      return r.data
    },
    step(state, ev, now) {
      if (ev.deviceId !== unit.deviceId) return { state, transitions: [] }
      if (ev.signal === 'data') {
        // The gateway clock can step back (NTP): lastSeen never moves backwards.
        const lastSeen = state.lastSeen === null ? now : Math.max(state.lastSeen, now)
        if (!state.offline) return { state: { ...state, lastSeen }, transitions: [] }
        const next: OfflineState = { lastSeen, offline: false, reason: null, since: null }
        return { state: next, transitions: [fault('clear', now, state, `unit back online: telemetry again after ${Math.round((now - (state.since ?? now)) / 1000)} s offline`)] }
      }
      if (state.offline) return { state, transitions: [] }
      return raise(state, ev.signal, now, now)
    },
    tick(state, now) {
      if (state.offline) return { state, transitions: [] }
      // Not seen since watching started: the silence is counted from the first tick.
      if (state.lastSeen === null) return { state: { ...state, lastSeen: now }, transitions: [] }
      if (now - state.lastSeen < silenceMs) return { state, transitions: [] }
      return raise(state, 'silence', now, state.lastSeen)
    },
  }
}
