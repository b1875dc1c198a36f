/**
 * GET /api/v1/alerts/stream?team= : a team's alert changes as server-sent events (alert-stream.ts).
 * `Last-Event-ID` (the header a browser's EventSource sends on reconnect, or ?lastEventId=)
 * resumes after that event, so a reconnect loses nothing the table still keeps. Each event's
 * `title` is in `?lang=`, else the Accept-Language header's (a language of ours), else the team's own `locale`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { LOCALES, negotiateLocale } from '../../../contract/catalogue/index.js'
import { ApiError } from '../../api/api-error.js'
import type { AlertStream } from './alert-stream.js'

const TEAM = /^[a-z0-9][a-z0-9_-]{0,63}$/
const LAST_ID = /^\d{1,15}$/

export const alertStreamRoutes =
  (stream: () => AlertStream): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/alerts/stream',
      {
        schema: {
          summary: "Server-sent events: a team's alert changes (event: alert, id: its sequence number; Last-Event-ID resumes)",
          description:
            'Each event is {type, timestamp, data: {team, event, alert, entry}} as in the webhooks. A client far behind ' +
            'whose connection does not take the events is dropped; it reconnects with Last-Event-ID and catches up.',
          querystring: z.object({
            team: z.string().regex(TEAM, "team must be a team id (1-64 characters of a-z, 0-9, '-' or '_')"),
            lastEventId: z.string().regex(LAST_ID, 'lastEventId must be an event id (a whole number)').optional(),
            lang: z.enum(LOCALES).optional().describe("Language of each event's `title` (zh-CN or en); absent: Accept-Language, else the team's locale"),
          }),
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) => {
        const header = req.headers['last-event-id']
        const raw = (Array.isArray(header) ? header[0] : header) ?? req.query.lastEventId ?? '0'
        if (!LAST_ID.test(raw)) throw new ApiError(400, 'GW_ERR_VALIDATION', `Last-Event-ID '${raw.slice(0, 40)}' is not an event id (a whole number)`)
        const s = stream()
        if (s.clientCount >= s.maxClients) throw new ApiError(503, 'GW_ERR_BUSY', `too many alert streams open (${s.maxClients}); try again later`)
        const locale = req.query.lang ?? negotiateLocale(req.headers['accept-language'], s.teamLocale(req.query.team))
        reply.hijack()
        s.attach(req.query.team, Number(raw), reply.raw, locale)
      },
    )
  }
