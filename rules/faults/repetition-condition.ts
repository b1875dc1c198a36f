/**
 * "N times within an hour" as a pure state machine (issue 11: repetition conditions whose
 * state survives a restart). The state keeps at most N event times, never every event: a
 * storm of events costs constant memory.
 *
 * Raises when N events fall within `withinMs` (the first and the N-th at most withinMs
 * apart: exactly an hour counts as "within an hour"). While active, each further event is
 * counted; an update is reported at most every UPDATE_EVERY_MS. Clears when no event has
 * come for clearMs ("gone for the auto-clear time", ThingsBoard #10979), checked on every
 * tick and before each new event.
 *
 * Event times are device times capped at the gateway clock (condition-time.ts). An event
 * older than the newest kept one is put in its place; one older than the newest by more
 * than withinMs means the device clock jumped back: the kept times are on another clock
 * and are dropped (an active fault stays active, so nothing is raised twice).
 */
import { z } from 'zod'

import { sampleTime, UPDATE_EVERY_MS, type ConditionTransition } from './condition-time.js'

export interface RepetitionConfig {
  /** Events needed, N >= 1. */
  times: number
  withinMs: number
  clearMs: number
}

export interface RepetitionEvent {
  /** Device time, ms. */
  ts: number
  value: number
}

export const RepetitionStateSchema = z
  .object({
    phase: z.enum(['idle', 'active']),
    /** The newest event times, ascending, at most `times` of them. */
    recent: z.array(z.number()),
    since: z.number().nullable(),
    lastEventT: z.number().nullable(),
    lastUpdateAt: z.number().nullable(),
    count: z.number().int().nonnegative(),
    last: z.number().nullable(),
  })
  .strict()
export type RepetitionState = z.infer<typeof RepetitionStateSchema>

export interface RepetitionStep {
  state: RepetitionState
  transitions: ConditionTransition[]
}

export function initialRepetitionState(): RepetitionState {
  return { phase: 'idle', recent: [], since: null, lastEventT: null, lastUpdateAt: null, count: 0, last: null }
}

export function parseRepetitionState(json: unknown, cfg: RepetitionConfig): RepetitionState {
  const r = RepetitionStateSchema.safeParse(json)
  if (!r.success) throw new Error(`repetition condition state is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
  // A state written under a larger N keeps only what this N needs (bounded either way).
  if (r.data.recent.length > cfg.times) r.data.recent = r.data.recent.slice(-cfg.times)
  return r.data
}

export function stepRepetition(cfg: RepetitionConfig, prev: RepetitionState, event: RepetitionEvent, now: number): RepetitionStep {
  const t = sampleTime(event.ts, now)
  const out: ConditionTransition[] = []
  let s: RepetitionState = { ...prev, recent: prev.recent.slice() }
  // Gone for clearMs before this event (no tick ran in between): that episode ends first.
  if (s.phase === 'active' && s.lastEventT !== null && t - s.lastEventT >= cfg.clearMs) {
    out.push(transition(s, 'clear', s.lastEventT + cfg.clearMs))
    s = initialRepetitionState()
  }
  const newest = s.recent[s.recent.length - 1]
  if (newest !== undefined && newest - t > cfg.withinMs) s.recent = []
  insertSorted(s.recent, t)
  if (s.recent.length > cfg.times) s.recent.splice(0, s.recent.length - cfg.times)
  s.last = event.value
  s.lastEventT = s.lastEventT === null ? t : Math.max(s.lastEventT, t)
  if (s.phase === 'idle') {
    const first = s.recent[0]
    const lastKept = s.recent[s.recent.length - 1]
    if (s.recent.length === cfg.times && first !== undefined && lastKept !== undefined && lastKept - first <= cfg.withinMs) {
      s.phase = 'active'
      s.since = first
      s.count = cfg.times
      s.lastUpdateAt = t
      out.push(transition(s, 'raise', t))
    }
  } else {
    s.count++
    if (s.lastUpdateAt === null || t - s.lastUpdateAt >= UPDATE_EVERY_MS) {
      s.lastUpdateAt = t
      out.push(transition(s, 'update', t))
    }
  }
  return { state: s, transitions: out }
}

export function tickRepetition(cfg: RepetitionConfig, prev: RepetitionState, now: number): RepetitionStep {
  if (prev.phase !== 'active' || prev.lastEventT === null || now - prev.lastEventT < cfg.clearMs) return { state: prev, transitions: [] }
  return { state: initialRepetitionState(), transitions: [transition(prev, 'clear', now)] }
}

function transition(s: RepetitionState, kind: ConditionTransition['kind'], at: number): ConditionTransition {
  return { kind, at, value: s.last, peak: null, count: s.count, since: s.since }
}

/** Keeps `times` ascending; at most N + 1 elements, so a linear insert is cheap. */
function insertSorted(times: number[], t: number): void {
  let i = times.length
  while (i > 0 && (times[i - 1] ?? 0) > t) i--
  times.splice(i, 0, t)
}
