/**
 * Quality reviewers' overrides: the latest override of a check is shown beside the check's
 * own result (which stays as evaluated) and decides the check's effective status, from
 * which the step and the verdict follow.
 */
import { stepStatusFromChecks } from '../../rules/result.js'
import type { CheckOverride, ReviewedCheck, ReviewedStep, StepResult } from '../../contract/verdict.js'

export type { ReviewedCheck, ReviewedStep } from '../../contract/verdict.js'

export function applyOverrides(step: StepResult, overrides: readonly CheckOverride[], running: boolean): ReviewedStep {
  const own = overrides.filter((o) => o.step === step.id)
  if (own.length === 0) return step
  const checks = step.checks.map((c): ReviewedCheck => {
    const latest = own.filter((o) => o.check === c.id).at(-1)
    return latest ? { ...c, override: latest } : c
  })
  const effective = checks.map((c) => (c.override ? { ...c, status: c.override.status } : c))
  return { ...step, status: stepStatusFromChecks(effective, running), checks }
}
