/**
 * Events inside a step: POST /jobs/:id/steps/evacuation/isolate marks the instant the
 * vacuum pump was valved off, where the decay test starts (rules/steps/evacuation.ts).
 * The path continues the start/stop markers' /jobs/:id/steps/:step/:action.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdSchema } from '../../../contract/job.js'
import { notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const Body = z
  .object({ at: z.number().int().positive().optional().describe('When the pump was isolated, ms since epoch (sent late: the real instant); default: now') })
  .strict()
  .optional()

export const stepEventRoutes =
  (deps: Pick<ApiDeps, 'clock' | 'jobs' | 'stepEvents'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/jobs/:id/steps/evacuation/isolate',
      {
        schema: {
          summary: 'Mark the vacuum pump isolated (valve closed): the evacuation decay test starts here',
          params: z.object({ id: IdSchema }),
          body: Body,
          response: { 201: z.object({ jobId: z.string(), step: z.literal('evacuation'), event: z.literal('isolate'), at: z.number() }) },
        },
      },
      async (req, reply) => {
        if (!deps.jobs.get(req.params.id)) throw notFound(`job "${req.params.id}"`)
        const now = deps.clock.now()
        const at = req.body?.at ?? now
        deps.stepEvents.add(req.params.id, { step: 'evacuation', kind: 'isolate', at, receivedAt: now })
        return reply.status(201).send({ jobId: req.params.id, step: 'evacuation' as const, event: 'isolate' as const, at })
      },
    )
  }
