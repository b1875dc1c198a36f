/** Quality review: overrides of single checks, kept beside the original result with who and why. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdSchema, OverrideBodySchema } from '../../../contract/job.js'
import { ApiError, notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const OverrideView = OverrideBodySchema.extend({ at: z.number() })

export const jobReviewRoutes =
  (deps: Pick<ApiDeps, 'clock' | 'jobs' | 'monitor'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/jobs/:id/overrides',
      {
        schema: {
          summary: "Override one check's result with a reason; the original result stays on the verdict",
          params: z.object({ id: IdSchema }),
          body: OverrideBodySchema,
          response: { 201: OverrideView },
        },
      },
      async (req, reply) => {
        const jobId = req.params.id
        const verdict = await deps.monitor.current(jobId)
        if (!verdict) throw notFound(`job "${jobId}"`)
        const step = verdict.steps.find((s) => s.id === req.body.step)
        if (!step?.checks.some((c) => c.id === req.body.check)) {
          throw new ApiError(400, 'GW_ERR_VALIDATION', `body.check: the verdict has no check "${req.body.step}.${req.body.check}"`)
        }
        const override = { ...req.body, at: deps.clock.now() }
        deps.jobs.addOverride(jobId, override)
        return reply.status(201).send(override)
      },
    )

    app.get(
      '/jobs/:id/overrides',
      { schema: { summary: 'Every override of the job, oldest first', params: z.object({ id: IdSchema }), response: { 200: z.array(OverrideView) } } },
      async (req) => {
        if (!deps.jobs.get(req.params.id)) throw notFound(`job "${req.params.id}"`)
        return deps.jobs.overrides(req.params.id)
      },
    )
  }
