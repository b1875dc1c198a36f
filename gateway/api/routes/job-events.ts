/**
 * Live feedback over HTTP: a server-sent-events stream of a job's verdict. The current
 * verdict comes first, then one `verdict` event per change; a comment every 15 s keeps
 * proxies from closing an idle stream.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdSchema } from '../../../contract/job.js'
import type { Verdict } from '../../jobs/verdict-service.js'
import { notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const HEARTBEAT_MS = 15_000

export const jobEventRoutes =
  (deps: Pick<ApiDeps, 'monitor'>): FastifyPluginAsyncZod =>
  async (app) => {
    const open = new Set<() => void>()
    app.addHook('onClose', async () => {
      for (const close of open) close()
    })

    app.get(
      '/jobs/:id/events',
      {
        schema: {
          summary: "Server-sent events: the job's verdict now and at every change (event: verdict)",
          params: z.object({ id: IdSchema }),
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) => {
        const first = await deps.monitor.current(req.params.id)
        if (!first) throw notFound(`job "${req.params.id}"`)
        reply.hijack()
        const res = reply.raw
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
        const send = (v: Verdict) => res.write(`event: verdict\ndata: ${JSON.stringify(v)}\n\n`)
        send(first)
        const unsubscribe = deps.monitor.subscribe(req.params.id, send)
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
        const end = () => {
          clearInterval(heartbeat)
          unsubscribe()
          open.delete(end)
          res.end()
        }
        open.add(end)
        req.raw.once('close', end)
      },
    )
  }
