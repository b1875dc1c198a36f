import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ApiDeps } from '../api-deps.js'

const Item = z.object({
  id: z.number(),
  deviceId: z.string().nullable(),
  topic: z.string(),
  receivedAt: z.number(),
  code: z.string(),
  reason: z.string(),
  raw: z.string(),
  rawEncoding: z.enum(['utf8', 'base64']),
})

export const quarantineRoutes =
  (deps: ApiDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/quarantine',
      {
        schema: {
          summary: 'Rejected messages, newest first, with the reason and the raw payload',
          querystring: z.object({
            deviceId: z.string().optional(),
            before: z.coerce.number().int().positive().optional().describe('Page: only ids below this'),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ total: z.number(), items: z.array(Item) }) },
        },
      },
      async (req) => ({ total: deps.quarantine.count(), items: deps.quarantine.list(req.query) }),
    )
  }
