/**
 * The two roll-ups every step evaluator's results go through: checks → step and steps →
 * verdict. Pure; the gateway stores and shows the results as they are.
 */

// The shapes are the contract's (contract/verdict.ts): one schema, every type derived from it.
import type { CheckResult, StepResult, StepStatus, VerdictStatus } from '../contract/verdict.js'

export type { CheckResult, CheckStatus, Evidence, Severity, StepResult, StepStatus, VerdictStatus } from '../contract/verdict.js'

/**
 * A step's status from its checks. `running` = the step's window is still open (no stop
 * marker yet).
 *
 * - any 'fail' → 'fail', even while running: a failure already in the evidence is final.
 * - else running → 'in_progress': while the window is open, later readings can still
 *   fail it (an over-current at minute 31), so a step only passes once it is stopped.
 *   The checks themselves already show "all green so far".
 * - else any 'pending' → 'incomplete': stopped, but something could not be decided.
 * - else no checks at all → 'incomplete': nothing was evaluated, so nothing passed.
 * - else 'pass'. A 'warn' never fails a step; it stays visible on the check.
 */
export function stepStatusFromChecks(checks: readonly CheckResult[], running: boolean): StepStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail'
  if (running) return 'in_progress'
  if (checks.length === 0 || checks.some((c) => c.status === 'pending')) return 'incomplete'
  return 'pass'
}

/**
 * A job's verdict from its steps: any fail → fail; else any in_progress → in_progress;
 * else any incomplete → incomplete; else pass. No steps → incomplete (nothing was shown).
 */
export function overallStatus(steps: readonly StepResult[]): VerdictStatus {
  if (steps.length === 0) return 'incomplete'
  if (steps.some((s) => s.status === 'fail')) return 'fail'
  if (steps.some((s) => s.status === 'in_progress')) return 'in_progress'
  if (steps.some((s) => s.status === 'incomplete')) return 'incomplete'
  return 'pass'
}
