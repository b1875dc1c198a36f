/** The installation record: what the installer declares and shows on site, filled in by partial updates. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { InstallationRecordSchema } from '../../../rules/record/installation-record.js'
import { IdSchema } from '../../../contract/job.js'
import { notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const Params = z.object({ id: IdSchema })

export const jobRecordRoutes =
  (deps: Pick<ApiDeps, 'jobs'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.patch(
      '/jobs/:id/record',
      {
        schema: {
          summary: 'Declare fields of the installation record (S3, S5, S7-S10, S12, S15, S16); a field sent again replaces the earlier value',
          params: Params,
          body: InstallationRecordSchema,
          response: { 200: InstallationRecordSchema },
        },
      },
      async (req) => {
        if (!deps.jobs.get(req.params.id)) throw notFound(`job "${req.params.id}"`)
        const merged = deps.jobs.mergeRecord(req.params.id, req.body)
        return merged
      },
    )

    app.get('/jobs/:id/record', { schema: { summary: 'The installation record so far', params: Params, response: { 200: InstallationRecordSchema } } }, async (req) => {
      if (!deps.jobs.get(req.params.id)) throw notFound(`job "${req.params.id}"`)
      return deps.jobs.record(req.params.id)
    })
  }
