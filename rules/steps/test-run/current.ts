/**
 * The test run's current check: running current against the unit's own data. The
 * nameplate of an inverter unit gives a rated current (at the rating point) and a maximum
 * current; during pull-down the compressor runs fast and draws well above rated (e.g.
 * rated 4.5 A, maximum 8.5 A, 6.5 A for the first 10 minutes) and that is normal. So:
 * above the nameplate maximum fails; above rated × ratio after the pull-down warns. Without
 * a nameplate maximum the limit is rated × ratio, as for a fixed-speed unit. Pure.
 */
import { formatDuration } from '../../format-duration.js'
import type { TestRunParams } from '../../pack-schema.js'
import type { CheckResult, Evidence } from '../../result.js'
import type { Run } from '../run-detector.js'
import type { Reading } from '../../../contract/reading.js'

export interface CurrentInput {
  p: TestRunParams
  ratedCurrentA: number
  maxCurrentA?: number | undefined
  runs: readonly Run[]
  running: boolean
  window: { from: number; to: number }
  at: (ts: number) => string
  /** Why no current evidence can be used (two devices unmarked), if so. */
  sourceError?: string | undefined
}

const amps = (v: number) => `${Math.round(v * 100) / 100} A`
const range = (from: number, to: number): Evidence => ({ channel: 'current_a', from, to })

/** Readings of every run after the inrush grace, with the time since their run started. */
function eligible(c: CurrentInput): { r: Reading; sinceStartMs: number }[] {
  const graceMs = c.p.startupGraceS.value * 1000
  const out: { r: Reading; sinceStartMs: number }[] = []
  for (const s of c.runs) for (const r of s.readings) if (r.ts - s.from >= graceMs) out.push({ r, sinceStartMs: r.ts - s.from })
  return out
}

export function currentCheck(c: CurrentInput): CheckResult {
  const id = 'current_within_rating'
  const rated = c.ratedCurrentA
  const window = [range(c.window.from, c.window.to)]
  if (c.sourceError) return { id, status: 'pending', unit: 'A', message: c.sourceError, evidence: window }
  if (!(Number.isFinite(rated) && rated > 0)) {
    return { id, status: 'pending', unit: 'A', message: 'nameplate rated current unknown: running current cannot be compared with it', evidence: window }
  }
  const ratio = c.p.currentMaxRatioOfRated.value
  const ratedLimit = rated * ratio
  const max = c.maxCurrentA
  const hard = max ?? ratedLimit
  const hardText = max !== undefined ? `nameplate maximum ${amps(max)}` : `${ratio} × rated ${amps(rated)}`
  const base = { id, limit: hard, unit: 'A' }
  const rs = eligible(c)
  if (rs.length === 0) {
    const when = c.running ? 'yet' : 'between start and stop'
    return { ...base, status: 'pending', message: `no running current after the ${formatDuration(c.p.startupGraceS.value)} start-up grace ${when}`, evidence: window }
  }
  let highest = -Infinity
  for (const x of rs) highest = Math.max(highest, x.r.value)
  const over = rs.filter((x) => x.r.value > hard)
  const first = over[0]
  const last = over.at(-1)
  if (first && last) {
    const count = over.length > 1 ? `; ${over.length} readings over the limit` : ''
    return {
      ...base,
      status: 'fail',
      measured: highest,
      severity: 'major',
      message: `running current reached ${amps(highest)}, above the limit ${amps(hard)} (${hardText}); first over at ${c.at(first.r.ts)}${count}`,
      evidence: [range(first.r.ts, last.r.ts)],
    }
  }
  const from = rs[0]?.r.ts ?? c.window.from
  const to = rs.at(-1)?.r.ts ?? c.window.to
  const pullDown = c.p.pullDownS?.value
  if (max !== undefined && pullDown !== undefined) {
    const late = rs.filter((x) => x.sinceStartMs > pullDown * 1000 && x.r.value > ratedLimit)
    const lf = late[0]
    if (lf) {
      let lateMax = -Infinity
      for (const x of late) lateMax = Math.max(lateMax, x.r.value)
      return {
        ...base,
        status: 'warn',
        severity: 'minor',
        measured: highest,
        message:
          `current ${amps(lateMax)} above rated ${amps(rated)} (× ${ratio}) more than ${formatDuration(pullDown)} into a run (first at ${c.at(lf.r.ts)}), ` +
          `within the nameplate maximum ${amps(max)}: normal at high outdoor temperature, otherwise check charge and airflow`,
        evidence: [range(lf.r.ts, late.at(-1)?.r.ts ?? lf.r.ts)],
      }
    }
  }
  const pd = max !== undefined && pullDown !== undefined ? `; above rated ${amps(rated)} only in the first ${formatDuration(pullDown)} (pull-down)` : ''
  return {
    ...base,
    status: 'pass',
    measured: highest,
    message: `highest running current ${amps(highest)} within the limit ${amps(hard)} (${hardText}; first ${formatDuration(c.p.startupGraceS.value)} of each run ignored${pd})`,
    evidence: [range(from, to)],
  }
}
