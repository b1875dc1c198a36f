/**
 * Result types shared by every step evaluator, and the two roll-ups: checks → step and
 * steps → verdict. Pure data; the gateway stores and shows these as they are.
 */

/**
 * One check's outcome.
 * - pass: the evidence meets the limit.
 * - fail: the evidence breaks the limit; a fact that later readings cannot undo.
 * - warn: worth a reviewer's look (e.g. back-filled evidence) but does not fail the step.
 * - pending: not decidable yet, or not decidable from the evidence given (no data yet,
 *   nameplate value missing).
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'pending'

/** How bad a failure is (the measureQuick scale: minor, major, critical). */
export type Severity = 'minor' | 'major' | 'critical'

/** A time range of one channel's readings that a check is based on (ms, device time). */
export interface Evidence {
  channel: string
  from: number
  to: number
}

export interface CheckResult {
  /** Stable id within its step, e.g. 'duration'. */
  id: string
  status: CheckStatus
  measured?: number
  limit?: number
  unit?: string
  /** One human sentence: what was measured, against what, and why it failed if it did. */
  message: string
  /** Standard clause the check enforces (DOMAIN.md ids: 'S1' ...). */
  clause?: string
  /** Set on failures (and warnings where useful). */
  severity?: Severity
  evidence?: Evidence[]
}

export type StepStatus = 'pass' | 'fail' | 'in_progress' | 'incomplete'

export interface StepResult {
  id: string
  status: StepStatus
  checks: CheckResult[]
}

export type VerdictStatus = 'pass' | 'fail' | 'in_progress' | 'incomplete'

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
