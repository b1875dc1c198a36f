/**
 * The verdict: the one schema every verdict shape derives from (rules' check and step
 * results, reviewers' overrides, the gateway's job verdict, the API's JSON schema, the
 * InfluxDB points, the firmware simulator's reading of the answer). Types come from the
 * schemas by z.infer, so a field added here is added everywhere at once.
 */
import { z } from 'zod'

/**
 * One check's outcome.
 * - pass: the evidence meets the limit.
 * - fail: the evidence breaks the limit; a fact that later readings cannot undo.
 * - warn: worth a reviewer's look (e.g. back-filled evidence) but does not fail the step.
 * - pending: not decidable yet, or not decidable from the evidence given (no data yet,
 *   nameplate value missing).
 */
export const CHECK_STATUSES = ['pass', 'fail', 'warn', 'pending'] as const
/** A step's and a job's status (rules/result.ts rolls checks up into them). */
export const VERDICT_STATUSES = ['pass', 'fail', 'in_progress', 'incomplete'] as const
/** What a quality reviewer may decide a check is: a decision, so never 'pending'. */
export const OVERRIDE_STATUSES = ['pass', 'fail', 'warn'] as const
/** How bad a failure is (the measureQuick scale: minor, major, critical). */
export const SEVERITIES = ['minor', 'major', 'critical'] as const

export const CheckStatusSchema = z.enum(CHECK_STATUSES)
export const VerdictStatusSchema = z.enum(VERDICT_STATUSES)
export const OverrideStatusSchema = z.enum(OVERRIDE_STATUSES)
export const SeveritySchema = z.enum(SEVERITIES)

export type CheckStatus = z.infer<typeof CheckStatusSchema>
export type StepStatus = z.infer<typeof VerdictStatusSchema>
export type VerdictStatus = z.infer<typeof VerdictStatusSchema>
export type OverrideStatus = z.infer<typeof OverrideStatusSchema>
export type Severity = z.infer<typeof SeveritySchema>

/** A time range of one channel's readings that a check is based on (ms, device time). */
export const EvidenceSchema = z.object({ channel: z.string(), from: z.number(), to: z.number() })
export type Evidence = z.infer<typeof EvidenceSchema>

export const CheckResultSchema = z.object({
  /** Stable id within its step, e.g. 'duration'. */
  id: z.string(),
  status: CheckStatusSchema,
  measured: z.number().optional(),
  limit: z.number().optional(),
  unit: z.string().optional(),
  /** One human sentence: what was measured, against what, and why it failed if it did. */
  message: z.string(),
  /** Standard clause the check enforces (DOMAIN.md ids: 'S1' ...). */
  clause: z.string().optional(),
  /** Set on failures (and warnings where useful). */
  severity: SeveritySchema.optional(),
  evidence: z.array(EvidenceSchema).optional(),
})
export type CheckResult = z.infer<typeof CheckResultSchema>

export const StepResultSchema = z.object({ id: z.string(), status: VerdictStatusSchema, checks: z.array(CheckResultSchema) })
export type StepResult = z.infer<typeof StepResultSchema>

/** A quality reviewer's override of one check as stored and shown: kept beside the original result, never replacing it. */
export const CheckOverrideSchema = z.object({ step: z.string(), check: z.string(), status: OverrideStatusSchema, reason: z.string(), by: z.string(), at: z.number() })
export type CheckOverride = z.infer<typeof CheckOverrideSchema>

/** A check with the latest override of it, if any: `status` stays the evaluated result. */
export const ReviewedCheckSchema = CheckResultSchema.extend({
  override: CheckOverrideSchema.optional().describe("A quality reviewer's decision; `status` above stays the evaluated result"),
})
export type ReviewedCheck = z.infer<typeof ReviewedCheckSchema>

export const ReviewedStepSchema = StepResultSchema.extend({ checks: z.array(ReviewedCheckSchema) })
export type ReviewedStep = z.infer<typeof ReviewedStepSchema>

/** An earlier attempt at a step (restarted or retested): shown with its own result; the last attempt decides. */
export const EarlierAttemptSchema = z.object({
  attempt: z.number(),
  start: z.number(),
  stop: z.number().optional(),
  restarted: z.boolean().describe('Ended by a new start without a stop'),
  status: VerdictStatusSchema,
  checks: z.array(ReviewedCheckSchema),
})
export type EarlierAttempt = z.infer<typeof EarlierAttemptSchema>

export const VerdictStepSchema = ReviewedStepSchema.extend({
  attempt: z.number().optional().describe('Which attempt decides the step (the last), when there was more than one'),
  earlierAttempts: z.array(EarlierAttemptSchema).optional().describe('Earlier attempts at the step with their own results: evidence is kept, never overwritten'),
})
export type VerdictStep = z.infer<typeof VerdictStepSchema>

/** The verdict of a job, as the gateway computes, stores, publishes and serves it. */
export const VerdictSchema = z.object({
  jobId: z.string(),
  status: VerdictStatusSchema,
  severity: SeveritySchema.optional().describe('Worst severity among failed checks'),
  rulePack: z.object({ id: z.string(), version: z.string(), hash: z.string().describe("SHA-256 of the pack's content: which numbers judged the job") }),
  evaluatedAt: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).optional().describe('Set when the job could not be evaluated (code GW_ERR_EVALUATION_FAILED)'),
  steps: z.array(VerdictStepSchema),
})
export type Verdict = z.infer<typeof VerdictSchema>

/**
 * A client's tolerant reading of a verdict (the firmware simulator): the same fields, but
 * statuses as plain strings and unknown fields kept, so a gateway that adds a status or a
 * field does not break a client that only prints the verdict and compares statuses.
 */
export const CheckOutlineSchema = CheckResultSchema.pick({ id: true })
  .extend({ status: z.string(), measured: z.unknown().optional(), limit: z.unknown().optional(), unit: z.string().nullish(), message: z.string().nullish() })
  .loose()
export const StepOutlineSchema = StepResultSchema.pick({ id: true }).extend({ status: z.string(), checks: z.array(CheckOutlineSchema) }).loose()
export const VerdictOutlineSchema = z.object({ status: z.string(), steps: z.array(StepOutlineSchema) }).loose()
export type VerdictOutline = z.infer<typeof VerdictOutlineSchema>
