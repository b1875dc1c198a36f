/**
 * What the CLI prints: the scenario list, a verdict, and whether it is the one the scenario
 * expects. Pure text, so it is tested without a process.
 */
import { describeExpectation, verdictMismatches } from './expectation.js'
import type { Verdict } from './http-client.js'
import type { Scenario } from './scenario.js'

/** Two lines per scenario: its name and description, then what it expects. */
export function formatScenarioList(scenarios: Iterable<Scenario>): string {
  const list = [...scenarios]
  const width = list.reduce((w, s) => Math.max(w, s.name.length), -Infinity)
  return list.map((s) => `${s.name.padEnd(width)}  ${s.description}\n${' '.repeat(width)}  expects ${describeExpectation(s.expected)}`).join('\n')
}

// Measured values arrive with the converter's float residue (4049.9802618 kPa): three decimals are plenty to read.
const show = (v: unknown) => (typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v))

export function formatVerdict(jobId: string, verdict: Verdict): string {
  const lines = [`verdict for job ${jobId}: ${verdict.status}`]
  for (const step of verdict.steps) {
    lines.push(`  ${step.id}: ${step.status}`)
    for (const c of step.checks) {
      const measured = c.measured === undefined || c.measured === null ? '' : ` measured ${show(c.measured)}`
      const limit = c.limit === undefined || c.limit === null ? '' : ` limit ${show(c.limit)}`
      const unit = c.unit && (measured || limit) ? ` ${c.unit}` : ''
      lines.push(`    [${c.status}] ${c.id}${measured}${limit}${unit}${c.message ? ` · ${c.message}` : ''}`)
    }
  }
  return lines.join('\n')
}

/** Compares the verdict with the scenario's expectation: the lines to print and whether it matched. */
export function formatOutcome(scenario: Scenario, verdict: Verdict): { ok: boolean; text: string } {
  const mismatches = verdictMismatches(scenario.expected, verdict)
  const expected = describeExpectation(scenario.expected)
  if (mismatches.length === 0) return { ok: true, text: `as expected: ${expected}` }
  return { ok: false, text: [`NOT as expected: scenario "${scenario.name}" expects ${expected}`, ...mismatches.map((m) => `  ${m}`)].join('\n') }
}
