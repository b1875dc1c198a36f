/**
 * Finding a check in a step's result, shared by the rule tests (issue 9: one helper instead
 * of a copy in each file). Throws rather than returning undefined, so an assertion on a
 * check that was never produced fails with its name and what the step did produce.
 */
import type { CheckResult, StepResult } from '../../../rules/result.js'

export function check(step: StepResult, id: string): CheckResult {
  const c = step.checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${id} in step ${step.id} (has: ${step.checks.map((x) => x.id).join(', ') || 'none'})`)
  return c
}
