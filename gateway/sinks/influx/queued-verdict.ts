/**
 * The schema of a verdict as the outbox keeps it (influx-points.ts queuedVerdict()), to read
 * it back parsed. A non-finite `measured` was written by JSON.stringify as null: read as absent,
 * as verdictPoints() treats it.
 */
import { z } from 'zod'
import type { VerdictRecord } from './influx-points.js'

const Status = z.enum(['pass', 'fail', 'warn'])

export const QueuedVerdictSchema = z.object({
  jobId: z.string(),
  installerId: z.string().nullable(),
  rulePack: z.object({ id: z.string(), version: z.string() }),
  status: z.enum(['pass', 'fail', 'in_progress', 'incomplete']),
  steps: z.array(
    z.object({
      id: z.string(),
      checks: z.array(
        z.object({
          id: z.string(),
          status: z.enum(['pass', 'fail', 'warn', 'pending']),
          clause: z.string().optional(),
          severity: z.enum(['minor', 'major', 'critical']).optional(),
          measured: z
            .number()
            .nullish()
            .transform((m) => m ?? undefined),
          override: z.object({ status: Status }).optional(),
        }),
      ),
    }),
  ),
  at: z.number(),
}) satisfies z.ZodType<VerdictRecord, unknown>
