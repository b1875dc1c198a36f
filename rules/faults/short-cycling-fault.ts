/**
 * Compressor short-cycling: more than the pack's starts per hour. A start is the current
 * rising from below the running threshold to at or above it (readings of current_a). The
 * first reading of a unit is no start (what came before is unknown); a start seen across a
 * data gap still counts (the compressor did start, at some time in the gap).
 *
 * A repetition condition over the starts: raises at the (max + 1)-th start within an hour,
 * clears when no start has come for the pack's auto-clear time. State: running or not,
 * plus at most max + 1 start times.
 */
import { z } from 'zod'

import type { Reading } from '../../contract/reading.js'
import type { ConditionTransition } from './condition-time.js'
import type { FaultsSection } from './fault-pack-schema.js'
import { msOf, type FaultEvaluator, type FaultTransition, type FaultUnit } from './fault-transition.js'
import { initialRepetitionState, parseRepetitionState, RepetitionStateSchema, stepRepetition, tickRepetition, type RepetitionConfig } from './repetition-condition.js'

const HOUR_MS = 3_600_000

const StateSchema = z.object({ running: z.boolean().nullable(), lastTs: z.number().nullable(), starts: RepetitionStateSchema }).strict()
export type ShortCyclingState = z.infer<typeof StateSchema>

export function shortCyclingFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<ShortCyclingState> | undefined {
  const p = faults.shortCycling
  if (!p) return undefined
  const max = p.maxStartsPerHour.value
  const cfg: RepetitionConfig = { times: max + 1, withinMs: HOUR_MS, clearMs: msOf(faults.autoClearS) }
  const toFault = (t: ConditionTransition): FaultTransition => ({
    kind: t.kind,
    deviceId: unit.deviceId,
    fault: 'short_cycling',
    severity: p.severity,
    at: t.at,
    value: t.value,
    peak: null,
    unit: 'starts/h',
    limit: max,
    count: t.count,
    since: t.since,
    clause: 'faults.shortCycling',
    source: p.maxStartsPerHour.source,
    message:
      t.kind === 'clear'
        ? `compressor short-cycling: no start for ${faults.autoClearS.value} s, cleared`
        : `compressor short-cycling: ${t.count} starts since ${new Date(t.since ?? t.at).toISOString()}, more than ${max} in an hour (a start: current rising to ${p.runningCurrentMinA.value} A or more): check thermostat, charge and pressure switches`,
  })
  return {
    fault: 'short_cycling',
    initial: () => ({ running: null, lastTs: null, starts: initialRepetitionState() }),
    parseState(json) {
      const r = StateSchema.safeParse(json)
      if (!r.success) throw new Error(`short-cycling fault state is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
      return { ...r.data, starts: parseRepetitionState(r.data.starts, cfg) }
    },
    step(state, reading: Reading, now) {
      if (reading.channel !== 'current_a' || reading.deviceId !== unit.deviceId) return { state, transitions: [] }
      // Slightly out of order: the later reading already set running; an edge here would be
      // invented. Far back (more than maxGap): the device clock jumped; go on from the new clock.
      if (state.lastTs !== null && reading.ts < state.lastTs && state.lastTs - reading.ts <= msOf(faults.maxGapS)) return { state, transitions: [] }
      const running = reading.value >= p.runningCurrentMinA.value
      const next: ShortCyclingState = { running, lastTs: reading.ts, starts: state.starts }
      if (state.running !== false || !running) return { state: next, transitions: [] }
      const r = stepRepetition(cfg, state.starts, { ts: reading.ts, value: reading.value }, now)
      next.starts = r.state
      return { state: next, transitions: r.transitions.map(toFault) }
    },
    tick(state, now) {
      const r = tickRepetition(cfg, state.starts, now)
      return r.state === state.starts ? { state, transitions: [] } : { state: { ...state, starts: r.state }, transitions: r.transitions.map(toFault) }
    },
  }
}
