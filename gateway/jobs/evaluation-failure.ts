/**
 * What a verdict says when the gateway could not evaluate (issue 8, "Crashes"): the
 * failure stays with its job (or its step) and is shown, never thrown further.
 *
 * No new status: 'incomplete' ("something could not be decided") is what a stopped step
 * with a pending check already means, and every place that enumerates statuses (rules/
 * result.ts roll-ups, the API schema, dashboards, the firmware simulator) handles it. The
 * check `evaluation` carries the code GW_ERR_EVALUATION_FAILED in its message and in the
 * verdict's `error`, so a client can tell "could not evaluate" from "waiting for readings".
 */
import type { VerdictErrorCode } from '../../contract/errors.js'
import type { StepResult } from '../../rules/result.js'
import type { Verdict } from '../../contract/verdict.js'

export const EVALUATION_FAILED = 'GW_ERR_EVALUATION_FAILED' satisfies VerdictErrorCode

/** The longest error text shown: a thrown message may quote data. */
const MAX_DETAIL = 300

export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text
}

/** A step whose evaluator threw: incomplete, with the reason; the job's other steps are still judged. */
export function failedStep(step: string, err: unknown): StepResult {
  return {
    id: step,
    status: 'incomplete',
    checks: [{ id: 'evaluation', status: 'pending', message: `${EVALUATION_FAILED}: the gateway could not evaluate this step (${describeError(err)})` }],
  }
}

/** A job that could not be evaluated at all (e.g. its stored pack cannot be read). */
export function failedVerdict(jobId: string, rulePack: { id: string; version: string } | undefined, now: number, err: unknown): Verdict {
  const message = `${EVALUATION_FAILED}: the gateway could not evaluate this job (${describeError(err)})`
  return {
    jobId,
    status: 'incomplete',
    // The pack could not be read, so neither can its content hash.
    rulePack: { ...(rulePack ?? { id: 'unknown', version: 'unknown' }), hash: 'unknown' },
    evaluatedAt: now,
    error: { code: EVALUATION_FAILED, message },
    steps: [{ id: 'evaluation', status: 'incomplete', checks: [{ id: 'evaluation', status: 'pending', message }] }],
  }
}
