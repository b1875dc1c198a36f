/**
 * Does a verdict match what the scenario expects? Pure, so the CLI and the tests use the
 * same comparison: the overall status, the status of every step the scenario names, and
 * the checks it says must fail.
 */
import type { Expectation } from './scenario.js'

/** What the comparison reads of a verdict: the gateway's answer (http-client.ts) or its own Verdict type. */
export interface VerdictOutline {
  status: string
  steps: readonly { id: string; status: string; checks: readonly { id: string; status: string }[] }[]
}

/** Every way the verdict differs from the expectation, one line each; empty when it matches. */
export function verdictMismatches(expected: Expectation, verdict: VerdictOutline): string[] {
  const out: string[] = []
  if (verdict.status !== expected.verdict) out.push(`verdict is ${verdict.status}, expected ${expected.verdict}`)
  for (const [id, status] of Object.entries(expected.steps)) {
    const step = verdict.steps.find((s) => s.id === id)
    if (!step) out.push(`step ${id} is missing from the verdict, expected ${status}`)
    else if (step.status !== status) out.push(`step ${id} is ${step.status}, expected ${status}`)
  }
  for (const ref of expected.failedChecks ?? []) {
    const dot = ref.indexOf('.')
    const [stepId, checkId] = [ref.slice(0, dot), ref.slice(dot + 1)]
    const check = verdict.steps.find((s) => s.id === stepId)?.checks.find((c) => c.id === checkId)
    if (!check) out.push(`check ${ref} is missing from the verdict, expected fail`)
    else if (check.status !== 'fail') out.push(`check ${ref} is ${check.status}, expected fail`)
  }
  return out
}

/**
 * The expectation in one line, for --list and the run's summary: "fail: tightness fail
 * (pressure_drop)", "pass: every step passes", "incomplete: test_run pass".
 */
export function describeExpectation(expected: Expectation): string {
  const steps = Object.entries(expected.steps)
  const notPassing = steps.filter(([, status]) => status !== 'pass')
  if (steps.length > 1 && notPassing.length === 0) return `${expected.verdict}: every step passes`
  const failing = (id: string) =>
    (expected.failedChecks ?? []).filter((ref) => ref.startsWith(`${id}.`)).map((ref) => ref.slice(id.length + 1))
  const shown = (notPassing.length > 0 ? notPassing : steps).map(([id, status]) => {
    const checks = failing(id)
    return `${id} ${status}${checks.length > 0 ? ` (${checks.join(', ')})` : ''}`
  })
  return shown.length > 0 ? `${expected.verdict}: ${shown.join(', ')}` : expected.verdict
}
