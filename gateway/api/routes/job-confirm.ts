/**
 * S15 (seed §5 ch.2 art.11): after installation the installer uploads photos, location and
 * the barcode scan, THEN confirms the work order. Confirmation is refused until those are
 * in the record; once confirmed, every record item still undeclared fails instead of
 * pending (rules/record/record-context.ts). Confirming twice keeps the first confirmation.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { InstallationRecord } from '../../../rules/record/record-schema.js'
import { IdSchema } from '../../../contract/job.js'
import { ApiError, ErrorBodySchema, notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const Params = z.object({ id: IdSchema })
const Confirmation = z.object({ jobId: z.string(), confirmedAt: z.number(), by: z.string().nullable() })

/** What S15 asks to be uploaded before confirming, still missing from the record. */
function missingUploads(record: InstallationRecord, minPhotos: number): string[] {
  const missing: string[] = []
  const photos = record.photos?.length ?? 0
  if (photos < minPhotos) missing.push(`photos (${photos} of ${minPhotos})`)
  if (!record.location) missing.push('location')
  if (record.barcode === undefined) missing.push('barcode scan')
  return missing
}

export const jobConfirmRoutes =
  (deps: Pick<ApiDeps, 'clock' | 'jobs'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/jobs/:id/work-order/confirm',
      {
        schema: {
          summary: 'Confirm the work order (S15): after photos, location and barcode are uploaded; from then on missing record items fail',
          params: Params,
          body: z.object({ by: z.string().trim().min(1).max(100).optional().describe('Who confirms (the installer)') }).strict().optional(),
          response: { 200: Confirmation, 201: Confirmation, 409: ErrorBodySchema },
        },
      },
      async (req, reply) => {
        const job = deps.jobs.get(req.params.id)
        if (!job) throw notFound(`job "${req.params.id}"`)
        const existing = deps.jobs.confirmation(job.id)
        if (existing) return reply.status(200).send({ jobId: job.id, ...existing })
        const minPhotos = deps.jobs.pack(job.id)?.record?.minPhotos.value ?? 1
        const missing = missingUploads(deps.jobs.record(job.id) as InstallationRecord, minPhotos)
        if (missing.length > 0) {
          throw new ApiError(409, 'GW_ERR_CONFLICT', `work order cannot be confirmed yet: upload ${missing.join(', ')} first (S15: seed §5 ch.2 art.11, upload then confirm)`)
        }
        const confirmed = deps.jobs.confirmWorkOrder(job.id, deps.clock.now(), req.body?.by ?? null)
        return reply.status(201).send({ jobId: job.id, ...confirmed })
      },
    )
  }
