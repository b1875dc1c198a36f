/**
 * Staged pressurisation before the tightness hold, where a pack demands it: VRF manuals
 * fill in steps and watch each one (Midea V8 Mini VRF Engineering Data Book §4.9.2
 * "Gastightness test": 0.3 MPa for at least 3 minutes to find large leaks, 1.5 MPa for at
 * least 3 minutes to find small ones, then the test pressure for 24 hours; Gree GMV and
 * Toshiba/Airwell VRF manuals give the same 0.3 / 1.5 MPa steps). Filling straight to
 * 4 MPa can blow a bad braze or flare that the low steps would have shown.
 *
 * A stage counts when the pressure stays within ±tolerance of its level for its minimum
 * time, in order, before the fill reaches the test pressure.
 */
import { z } from 'zod'

import type { Reading } from '../../contract/reading.js'
import { formatDuration } from '../format-duration.js'
import type { CheckResult, Evidence } from '../result.js'
import { finite, sourced } from '../sourced.js'
import { seconds } from './series.js'

export const StagesParamSchema = sourced(
  z
    .array(z.object({ kpaG: finite().positive(), minHoldS: finite().int().positive() }).strict())
    .min(1)
    .refine((a) => a.every((s, i) => i === 0 || s.kpaG > a[i - 1]!.kpaG), { message: 'stages must rise' }),
)
export type Stages = z.infer<typeof StagesParamSchema>

interface Span {
  from: Reading
  to: Reading
}

/** Longest run of consecutive readings within [lo, hi] among rs[from .. until - 1]. */
function longestRun(rs: readonly Reading[], from: number, until: number, lo: number, hi: number): { span: Span; endIndex: number } | undefined {
  let best: { span: Span; endIndex: number } | undefined
  let runStart = -1
  const close = (last: number) => {
    if (runStart < 0) return
    const span = { from: rs[runStart]!, to: rs[last]! }
    if (!best || span.to.ts - span.from.ts > best.span.to.ts - best.span.from.ts) best = { span, endIndex: last }
    runStart = -1
  }
  for (let i = from; i < until; i++) {
    const v = rs[i]!.value
    if (v >= lo && v <= hi) {
      if (runStart < 0) runStart = i
    } else close(i - 1)
  }
  close(until - 1)
  return best
}

const mpa = (kpa: number) => `${(kpa / 1000).toFixed(2)} MPa(g)`

/**
 * `rs`: the pressure series, sorted; `holdStartIndex`: the first reading at the test
 * pressure (rs.length when not reached yet). `ev` builds the evidence of a time range.
 */
export function stagesCheck(
  stages: Stages,
  tolerancePct: number,
  rs: readonly Reading[],
  holdStartIndex: number,
  running: boolean,
  ev: (from: number, to: number) => Evidence,
  at: (ts: number) => string,
): CheckResult {
  const base = { id: 'staged_pressurisation', clause: 'S13' }
  const done: string[] = []
  let cursor = 0
  for (const stage of stages.value) {
    const tol = (stage.kpaG * tolerancePct) / 100
    const run = longestRun(rs, cursor, holdStartIndex, stage.kpaG - tol, stage.kpaG + tol)
    const held = run ? seconds(run.span.to.ts - run.span.from.ts) : 0
    const want = `${mpa(stage.kpaG)} ±${tolerancePct} % for ${formatDuration(stage.minHoldS)}`
    if (!run || held < stage.minHoldS) {
      const seen = run ? `held ${formatDuration(held)} from ${at(run.span.from.ts)}` : 'not held (passed through or never reached)'
      const prefix = done.length > 0 ? `${done.join(', ')}; ` : ''
      const message = `${prefix}stage ${want}: ${seen}`
      const reached = holdStartIndex < rs.length
      const evidence = [ev(rs[0]?.ts ?? 0, rs[Math.min(holdStartIndex, rs.length - 1)]?.ts ?? 0)]
      // While the fill is still climbing the stage can still be held; once at test pressure it was skipped.
      if (running && !reached) return { ...base, status: 'pending', message: `filling: ${message}`, evidence }
      return { ...base, status: 'fail', severity: 'major', message: `staged pressurisation not followed (the pack asks for ${stages.value.map((s) => `${mpa(s.kpaG)} ${formatDuration(s.minHoldS)}`).join(' → ')} before the test pressure): ${message}`, evidence }
    }
    done.push(`${mpa(stage.kpaG)} held ${formatDuration(held)}`)
    cursor = run.endIndex + 1
  }
  const first = rs[0]
  const last = rs[Math.min(holdStartIndex, rs.length - 1)]
  return { ...base, status: 'pass', message: `staged fill: ${done.join(', ')} before the test pressure`, evidence: first && last ? [ev(first.ts, last.ts)] : [] }
}
