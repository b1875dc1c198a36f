/**
 * A fault that is one channel past a limit for a time (leakage, over-current, supply
 * voltage): a duration condition over that channel's readings. Exactly at the limit is not
 * past it (the limits are "at most" values in the packs).
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { ConditionTransition } from './condition-time.js'
import { initialDurationState, parseDurationState, stepDuration, tickDuration, type DurationConfig, type DurationState } from './duration-condition.js'
import type { FaultSeverity } from './fault-pack-schema.js'
import type { FaultEvaluator, FaultTransition } from './fault-transition.js'

export interface ThresholdFaultSpec {
  deviceId: string
  fault: string
  severity: FaultSeverity
  channel: ChannelName
  unit: string
  /** The limit shown with the alert (for a band: the end the value is past). */
  limitFor: (value: number | null) => number
  /** How far past the limit a value is; > 0 means bad. */
  excess: (value: number) => number
  condition: DurationConfig
  clause: string
  source: string
  /** The sentence for a transition. */
  describe: (t: ConditionTransition) => string
}

export function thresholdFault(spec: ThresholdFaultSpec): FaultEvaluator<DurationState> {
  const toFault = (t: ConditionTransition): FaultTransition => ({
    kind: t.kind,
    deviceId: spec.deviceId,
    fault: spec.fault,
    severity: spec.severity,
    at: t.at,
    value: t.value,
    peak: t.peak,
    unit: spec.unit,
    limit: spec.limitFor(t.value),
    count: t.count,
    since: t.since,
    clause: spec.clause,
    source: spec.source,
    message: spec.describe(t),
  })
  return {
    fault: spec.fault,
    initial: initialDurationState,
    parseState: parseDurationState,
    step(state, reading: Reading, now) {
      if (reading.channel !== spec.channel || reading.deviceId !== spec.deviceId) return { state, transitions: [] }
      const excess = spec.excess(reading.value)
      const r = stepDuration(spec.condition, state, { ts: reading.ts, value: reading.value, bad: excess > 0, score: excess }, now)
      return { state: r.state, transitions: r.transitions.map(toFault) }
    },
    tick(state, now) {
      const r = tickDuration(spec.condition, state, now)
      return { state: r.state, transitions: r.transitions.map(toFault) }
    },
  }
}
