/**
 * S14 during the test run (seed §5 ch.5 art.9: "during the test run the casing must be
 * checked everywhere; if it leaks, stop at once"). The touch/leakage current of the casing
 * is watched over the whole run: one reading above the limit fails, critically, because
 * the seed's answer is to stop the unit, not to finish the run. Pure.
 */
import type { Reading } from '../../../contract/reading.js'
import type { CheckResult } from '../../result.js'

export interface LeakageInput {
  maxMa: number
  /** leakage_ma readings in the test run's window, sorted. */
  readings: readonly Reading[]
  running: boolean
  window: { from: number; to: number }
  at: (ts: number) => string
}

export function leakageCheck(c: LeakageInput): CheckResult {
  const base = { id: 'casing_leakage', clause: 'S14', unit: 'mA', limit: c.maxMa }
  const ev = (from: number, to: number) => [{ channel: 'leakage_ma', from, to }]
  if (c.readings.length === 0) {
    if (c.running) return { ...base, status: 'pending', message: 'no leakage_ma readings yet: S14 asks the casing to be checked for leakage during the test run', evidence: ev(c.window.from, c.window.to) }
    // Not shown is not the same as leaking: a reviewer sees it (warn) and the electrical step's own leakage test still counts.
    const message = 'no leakage_ma readings during the test run: S14 (seed §5 ch.5 art.9) asks the casing to be checked for leakage while it runs; not shown by a meter'
    return { ...base, status: 'warn', severity: 'minor', message, evidence: ev(c.window.from, c.window.to) }
  }
  let highest = -Infinity
  for (const r of c.readings) highest = Math.max(highest, r.value)
  const first = c.readings.find((r) => r.value > c.maxMa)
  if (first) {
    return {
      ...base,
      status: 'fail',
      severity: 'critical',
      measured: highest,
      message: `casing leakage ${first.value} mA at ${c.at(first.ts)} (highest ${highest} mA), above ${c.maxMa} mA: stop the unit at once and find the fault before running again (seed §5 ch.5 art.9)`,
      evidence: ev(first.ts, c.readings.at(-1)?.ts ?? first.ts),
    }
  }
  const from = c.readings[0]?.ts ?? c.window.from
  const to = c.readings.at(-1)?.ts ?? c.window.to
  return { ...base, status: 'pass', measured: highest, message: `casing leakage at most ${highest} mA during the run (limit ${c.maxMa} mA, ${c.readings.length} readings)`, evidence: ev(from, to) }
}
