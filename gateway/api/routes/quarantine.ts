import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { QUARANTINE_PAGE } from '../../store/quarantine-repository.js'
import { ApiError, ErrorBodySchema, notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const Id = z.coerce.number().int().positive()
const KiB = (n: number) => `${n / 1024} KiB`

const Item = z.object({
  id: z.number(),
  deviceId: z.string().nullable(),
  topic: z.string(),
  receivedAt: z.number(),
  code: z.string(),
  reason: z.string().describe(`Why it was refused; at most ${QUARANTINE_PAGE.reasonPreviewChars} characters are listed`),
  reasonTruncated: z.boolean(),
  raw: z.string().describe(`The payload as received, its first ${KiB(QUARANTINE_PAGE.rawPreviewBytes)} when larger (rawTruncated); the whole of it at rawUrl`),
  rawEncoding: z.enum(['utf8', 'base64']),
  rawBytes: z.number().describe('Size of the whole payload'),
  rawTruncated: z.boolean(),
  rawUrl: z.string().describe('GET it for the whole payload, byte for byte'),
})

export const quarantineRoutes =
  (deps: Pick<ApiDeps, 'quarantine'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/quarantine',
      {
        schema: {
          summary: 'Rejected messages with the reason and the raw payload, a page at a time',
          description:
            `Newest first (\`before\`) or oldest first (\`after\`), at most \`limit\` items and about ` +
            `${KiB(QUARANTINE_PAGE.maxBytes)} of JSON per page: pass \`next\` as \`before\` (or as \`after\`) for the next page; ` +
            `null means the end. Payloads over ${KiB(QUARANTINE_PAGE.rawPreviewBytes)} are cut in the listing; ` +
            '`GET /api/v1/quarantine/{id}/raw` returns one whole.',
          querystring: z.object({
            deviceId: z.string().optional(),
            before: Id.optional().describe('Cursor: newest first, only ids below this'),
            after: z.coerce.number().int().nonnegative().optional().describe('Cursor: oldest first, only ids above this (0: from the oldest)'),
            limit: z.coerce.number().int().min(1).max(QUARANTINE_PAGE.maxLimit).default(QUARANTINE_PAGE.defaultLimit),
          }),
          response: {
            200: z.object({
              total: z.number().describe('Records in quarantine (all devices)'),
              items: z.array(Item),
              next: z.number().nullable().describe('Cursor of the next page, null at the end'),
            }),
            400: ErrorBodySchema,
          },
        },
      },
      async (req) => {
        if (req.query.before !== undefined && req.query.after !== undefined) {
          throw new ApiError(400, 'GW_ERR_VALIDATION', 'querystring: give before (newest first) or after (oldest first), not both')
        }
        const page = deps.quarantine.list(req.query)
        return {
          total: deps.quarantine.count(),
          items: page.items.map((i) => ({ ...i, rawUrl: `/api/v1/quarantine/${i.id}/raw` })),
          next: page.next,
        }
      },
    )

    app.get(
      '/quarantine/:id/raw',
      {
        schema: {
          summary: 'One quarantined payload, byte for byte as received (application/octet-stream)',
          params: z.object({ id: Id }),
          // A Buffer is sent as it is (fastify does not serialize it); in OpenAPI it shows as any body.
          response: { 200: z.instanceof(Buffer).describe('The payload bytes, application/octet-stream'), 404: ErrorBodySchema },
        },
      },
      async (req, reply) => {
        const raw = deps.quarantine.raw(req.params.id)
        if (raw === undefined) throw notFound(`quarantine record ${req.params.id}`)
        return reply.type('application/octet-stream').header('content-disposition', `attachment; filename="quarantine-${req.params.id}.bin"`).send(raw)
      },
    )
  }
