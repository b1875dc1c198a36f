/**
 * Refrigerant-loss trend as a warning (issue 11): the suction saturation temperature, with
 * the compressor running and at comparable outdoor temperature, falling over days.
 *
 * Each suction pressure reading (pressure_low_kpag) is paired with the unit's outdoor
 * temperature (temp_outdoor_c) and current (current_a) readings within pairWithinS of it,
 * in whatever order they arrive; a pair with the compressor running becomes a dew-point
 * saturation temperature from the unit's refrigerant table (rules/refrigerants: the real
 * saturation curve, with the site's atmospheric pressure when known) and joins its day's
 * mean in its outdoor bin (refrigerant-trend.ts). When a new day starts, the finished days
 * are judged: falling raises, steady again clears; what cannot be judged (too few days, no
 * outdoor temperature, compressor never running, no saturation data) changes nothing and
 * says why (refrigerantTrendJudgement).
 */
import { z } from 'zod'

import type { Reading } from '../../contract/reading.js'
import { ATMOSPHERE_KPA, saturationTempC } from '../refrigerants/index.js'
import { sampleTime } from './condition-time.js'
import type { FaultsSection, RefrigerantLossParams } from './fault-pack-schema.js'
import { msOf, type FaultEvaluator, type FaultTransition, type FaultUnit } from './fault-transition.js'
import { addSample, DAY_MS, DayBinSchema, judgeTrend, type TrendJudgement } from './refrigerant-trend.js'

const Point = z.object({ ts: z.number(), value: z.number() }).strict()

const StateSchema = z
  .object({
    pressure: Point.nullable(),
    /** The pressure reading above has been used (paired, or counted as skipped). */
    pressureUsed: z.boolean(),
    outdoor: Point.nullable(),
    current: Point.nullable(),
    entries: z.array(DayBinSchema),
    skipped: z.object({ noOutdoor: z.number().int(), notRunning: z.number().int(), noSaturation: z.number().int() }).strict(),
    saturationError: z.string().nullable(),
    /** The day the last judgement was made on (days before it were judged). */
    judgedDay: z.number().int().nullable(),
    active: z.boolean(),
    since: z.number().nullable(),
  })
  .strict()
export type RefrigerantLossState = z.infer<typeof StateSchema>

const CHANNELS = new Set(['pressure_low_kpag', 'temp_outdoor_c', 'current_a'])

/** What the trend says now, over the finished days (before `today`, a UTC day index) or all days. */
export function refrigerantTrendJudgement(p: RefrigerantLossParams, s: RefrigerantLossState, today?: number): TrendJudgement {
  const entries = today === undefined ? s.entries : s.entries.filter((e) => e.day < today)
  return judgeTrend({ entries, skipped: s.skipped, saturationError: s.saturationError }, p)
}

export function refrigerantLossFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<RefrigerantLossState> | undefined {
  const p = faults.refrigerantLoss
  if (!p) return undefined
  const params = p
  const pairMs = msOf(p.pairWithinS)
  const atmosphere = unit.siteAtmosphericKpa ?? ATMOSPHERE_KPA
  const near = (a: { ts: number } | null, t: number) => a !== null && Math.abs(a.ts - t) <= pairMs

  const fault = (kind: FaultTransition['kind'], at: number, since: number | null, j: TrendJudgement): FaultTransition => ({
    kind,
    deviceId: unit.deviceId,
    fault: 'refrigerant_loss',
    severity: 'warning',
    at,
    value: j.status === 'cannot_judge' ? null : j.slopeKPerDay,
    peak: null,
    unit: 'K/day',
    limit: -p.maxFallKPerDay.value,
    count: j.days,
    since,
    clause: 'faults.refrigerantLoss',
    source: `${p.maxFallKPerDay.source}; saturation: rules/refrigerants (${unit.refrigerant})`,
    message: j.message,
  })

  /** Pairs the pending pressure reading if it can be; else leaves it for a later outdoor/current reading. */
  function tryPair(s: RefrigerantLossState): RefrigerantLossState {
    const pr = s.pressure
    if (pr === null || s.pressureUsed || !near(s.outdoor, pr.ts) || !near(s.current, pr.ts)) return s
    const next = { ...s, pressureUsed: true, skipped: { ...s.skipped } }
    if ((s.current?.value ?? 0) < params.runningCurrentMinA.value) {
      next.skipped.notRunning++
      return next
    }
    const sat = saturationTempC(unit.refrigerant, pr.value, 'dew', atmosphere)
    if (!sat.ok) {
      next.skipped.noSaturation++
      next.saturationError = sat.message
      return next
    }
    next.entries = addSample(s.entries, params, pr.ts, s.outdoor?.value ?? 0, sat.value)
    return next
  }

  /** A pressure reading that never found its partners: counted under why. */
  function countUnpaired(s: RefrigerantLossState): RefrigerantLossState {
    const pr = s.pressure
    if (pr === null || s.pressureUsed) return s
    const skipped = { ...s.skipped }
    if (!near(s.outdoor, pr.ts)) skipped.noOutdoor++
    else skipped.notRunning++ // no current reading near it: not shown running
    return { ...s, skipped, pressureUsed: true }
  }

  return {
    fault: 'refrigerant_loss',
    initial: () => ({ pressure: null, pressureUsed: true, outdoor: null, current: null, entries: [], skipped: { noOutdoor: 0, notRunning: 0, noSaturation: 0 }, saturationError: null, judgedDay: null, active: false, since: null }),
    parseState(json) {
      const r = StateSchema.safeParse(json)
      if (!r.success) throw new Error(`refrigerant-loss fault state is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
      return r.data
    },
    step(state, reading: Reading, now) {
      if (reading.deviceId !== unit.deviceId || !CHANNELS.has(reading.channel)) return { state, transitions: [] }
      const pt = { ts: sampleTime(reading.ts, now), value: reading.value }
      let s: RefrigerantLossState = state
      if (reading.channel === 'pressure_low_kpag') s = { ...countUnpaired(s), pressure: pt, pressureUsed: false }
      else if (reading.channel === 'temp_outdoor_c') s = { ...s, outdoor: pt }
      else s = { ...s, current: pt }
      s = tryPair(s)
      const today = Math.floor(pt.ts / DAY_MS)
      if (s.judgedDay !== null && today <= s.judgedDay) return { state: s, transitions: [] }
      if (s.judgedDay === null) return { state: { ...s, judgedDay: today }, transitions: [] }
      // A new day: judge the finished ones.
      const j = refrigerantTrendJudgement(p, s, today)
      s = { ...s, judgedDay: today }
      const transitions: FaultTransition[] = []
      if (j.status === 'falling') {
        transitions.push(fault(s.active ? 'update' : 'raise', pt.ts, s.active ? s.since : pt.ts, j))
        if (!s.active) s = { ...s, active: true, since: pt.ts }
      } else if (j.status === 'steady' && s.active) {
        transitions.push(fault('clear', pt.ts, s.since, j))
        s = { ...s, active: false, since: null }
      }
      return { state: s, transitions }
    },
    // Days pass by the readings' own time; silence is the offline fault's business.
    tick: (state) => ({ state, transitions: [] }),
  }
}
