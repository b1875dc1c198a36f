/** The verdict as the API documents it (OpenAPI) and serialises it. */
import { z } from 'zod'

const CheckSchema = z.object({
  id: z.string(),
  status: z.enum(['pass', 'fail', 'warn', 'pending']),
  measured: z.number().optional(),
  limit: z.number().optional(),
  unit: z.string().optional(),
  message: z.string(),
  clause: z.string().optional(),
  severity: z.enum(['minor', 'major', 'critical']).optional(),
  evidence: z.array(z.object({ channel: z.string(), from: z.number(), to: z.number() })).optional(),
  override: z
    .object({ step: z.string(), check: z.string(), status: z.enum(['pass', 'fail', 'warn']), reason: z.string(), by: z.string(), at: z.number() })
    .optional()
    .describe("A quality reviewer's decision; `status` above stays the evaluated result"),
})

const Status = z.enum(['pass', 'fail', 'in_progress', 'incomplete'])

export const VerdictSchema = z.object({
  jobId: z.string(),
  status: Status,
  severity: z.enum(['minor', 'major', 'critical']).optional().describe('Worst severity among failed checks'),
  rulePack: z.object({ id: z.string(), version: z.string(), hash: z.string().describe("SHA-256 of the pack's content: which numbers judged the job") }),
  evaluatedAt: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).optional().describe('Set when the job could not be evaluated (code GW_ERR_EVALUATION_FAILED)'),
  steps: z.array(
    z.object({
      id: z.string(),
      status: Status,
      checks: z.array(CheckSchema),
      attempt: z.number().optional().describe('Which attempt decides the step (the last), when there was more than one'),
      earlierAttempts: z
        .array(
          z.object({
            attempt: z.number(),
            start: z.number(),
            stop: z.number().optional(),
            restarted: z.boolean().describe('Ended by a new start without a stop'),
            status: Status,
            checks: z.array(CheckSchema),
          }),
        )
        .optional()
        .describe('Earlier attempts at the step with their own results: evidence is kept, never overwritten'),
    }),
  ),
})
