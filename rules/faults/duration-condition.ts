/**
 * "Above X for 10 minutes" as a pure state machine (issue 11: duration conditions whose
 * state survives a restart; ThingsBoard's duration alarms reset to 0 on restart).
 *
 * The state is a small plain JSON object: persist it with JSON.stringify, read it back with
 * parseDurationState, and continue. Half of a 10-minute condition is then still half, and
 * an active fault stays active (it is not raised again). Memory per condition is constant
 * whatever the number of samples, and while active an update is reported at most every
 * UPDATE_EVERY_MS (with the last and the worst value), not once per bad sample.
 *
 *   idle --bad--> pending --bad, held forMs--> active --good--> clearing --good, held clearMs--> idle (clear)
 *      pending --good--> idle            clearing --bad--> active
 *
 * Continuity: samples further apart than maxGapMs break the condition: a pending duration
 * starts again (it was not seen holding through the gap) and a clearing one goes back to
 * active (the fault was not seen gone). A device clock that jumps back more than maxGapMs
 * restarts the timing from the new clock; a sample slightly out of order is ignored.
 * With clearOnSilence (event-like faults, e.g. an error code sent only while present) the
 * fault also clears when no bad sample has come for clearMs of gateway time (tick).
 */
import { z } from 'zod'

import { sampleTime, UPDATE_EVERY_MS, type ConditionTransition } from './condition-time.js'

export interface DurationConfig {
  /** The condition must hold this long before it raises; 0 = the first bad sample, ms. */
  forMs: number
  /** Samples further apart than this break continuity, ms. */
  maxGapMs: number
  /** Good samples for this long clear an active fault, ms. */
  clearMs: number
  /** Also clear after clearMs without any bad sample, counted on the gateway clock in tick(). */
  clearOnSilence?: boolean
}

export interface DurationSample {
  /** Device time, ms. */
  ts: number
  value: number
  /** Whether the sample is past the limit. */
  bad: boolean
  /** How far past the limit (bigger = worse): the value with the highest score is reported as `peak`. Default: value. */
  score?: number
}

export const DurationStateSchema = z
  .object({
    phase: z.enum(['idle', 'pending', 'active', 'clearing']),
    /** pending: first bad sample; active: first bad sample of the episode. */
    since: z.number().nullable(),
    /** clearing: first good sample after the fault. */
    goodSince: z.number().nullable(),
    /** Last sample accepted (its sample time). */
    lastT: z.number().nullable(),
    lastBadT: z.number().nullable(),
    raisedAt: z.number().nullable(),
    lastUpdateAt: z.number().nullable(),
    count: z.number().int().nonnegative(),
    /** Highest score of the episode, and the value that had it. */
    peak: z.number().nullable(),
    worst: z.number().nullable(),
    last: z.number().nullable(),
  })
  .strict()
export type DurationState = z.infer<typeof DurationStateSchema>

export interface DurationStep {
  state: DurationState
  transitions: ConditionTransition[]
}

export function initialDurationState(): DurationState {
  return { phase: 'idle', since: null, goodSince: null, lastT: null, lastBadT: null, raisedAt: null, lastUpdateAt: null, count: 0, peak: null, worst: null, last: null }
}

/** Reads a persisted state back; a corrupt one is refused with the reason, never half-used. */
export function parseDurationState(json: unknown): DurationState {
  const r = DurationStateSchema.safeParse(json)
  if (r.success) return r.data
  throw new Error(`duration condition state is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
}

function transition(s: DurationState, kind: ConditionTransition['kind'], at: number): ConditionTransition {
  return { kind, at, value: s.last, peak: s.worst, count: s.count, since: s.since }
}

/** One sample. `now` is the gateway clock (caps a device clock running ahead). */
export function stepDuration(cfg: DurationConfig, prev: DurationState, sample: DurationSample, now: number): DurationStep {
  const t = sampleTime(sample.ts, now)
  const s: DurationState = { ...prev }
  const out: ConditionTransition[] = []
  if (s.lastT !== null && t < s.lastT) {
    // Slightly out of order: the later sample already decided. Far back: the device clock jumped.
    if (s.lastT - t <= cfg.maxGapMs) return { state: prev, transitions: [] }
    restartTiming(s)
  } else if (s.lastT !== null && t - s.lastT > cfg.maxGapMs) {
    restartTiming(s)
  }
  s.lastT = t
  const score = sample.score ?? sample.value
  if (sample.bad) {
    s.last = sample.value
    s.lastBadT = t
    if (s.phase === 'idle') {
      s.phase = 'pending'
      s.since = t
      s.count = 0
      s.peak = null
      s.worst = null
    }
    s.count++
    if (s.peak === null || score > s.peak) {
      s.peak = score
      s.worst = sample.value
    }
    if (s.phase === 'pending' && s.since !== null && t - s.since >= cfg.forMs) {
      s.phase = 'active'
      s.raisedAt = t
      s.lastUpdateAt = t
      out.push(transition(s, 'raise', t))
    } else if (s.phase === 'active' || s.phase === 'clearing') {
      s.phase = 'active'
      s.goodSince = null
      if (s.lastUpdateAt === null || t - s.lastUpdateAt >= UPDATE_EVERY_MS) {
        s.lastUpdateAt = t
        out.push(transition(s, 'update', t))
      }
    }
  } else if (s.phase === 'pending') {
    Object.assign(s, initialDurationState(), { lastT: t })
  } else if (s.phase === 'active' || s.phase === 'clearing') {
    if (s.phase === 'active') {
      s.phase = 'clearing'
      s.goodSince = t
    }
    if (s.goodSince !== null && t - s.goodSince >= cfg.clearMs) {
      // The clear reports the good reading that completed it, not the last bad one.
      const tr = clear(s, t)
      out.push({ ...tr, value: sample.value })
    }
  }
  return { state: s, transitions: out }
}

/** Time passing without samples, on the gateway clock. */
export function tickDuration(cfg: DurationConfig, prev: DurationState, now: number): DurationStep {
  if (prev.lastT === null || now < prev.lastT) return { state: prev, transitions: [] }
  const active = prev.phase === 'active' || prev.phase === 'clearing'
  if (active && cfg.clearOnSilence && prev.lastBadT !== null && now - prev.lastBadT >= cfg.clearMs) {
    const s = { ...prev }
    return { state: s, transitions: [clear(s, now)] }
  }
  if (now - prev.lastT <= cfg.maxGapMs) return { state: prev, transitions: [] }
  // A gap: nothing seen holding, nothing seen gone. Only the half-made judgements reset.
  if (prev.phase === 'pending') return { state: { ...initialDurationState(), lastT: prev.lastT }, transitions: [] }
  if (prev.phase === 'clearing') return { state: { ...prev, phase: 'active', goodSince: null }, transitions: [] }
  return { state: prev, transitions: [] }
}

/** A gap or a clock jump: a pending duration starts over, a clearing fault is active again. */
function restartTiming(s: DurationState): void {
  if (s.phase === 'pending') Object.assign(s, initialDurationState())
  else if (s.phase === 'clearing') {
    s.phase = 'active'
    s.goodSince = null
  }
}

function clear(s: DurationState, at: number): ConditionTransition {
  const tr = transition(s, 'clear', at)
  const lastT = s.lastT
  Object.assign(s, initialDurationState(), { lastT })
  return tr
}
