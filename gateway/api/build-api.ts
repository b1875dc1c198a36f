/**
 * The HTTP API as a fastify instance: zod-validated routes under /api/v1 behind the admin
 * bearer token, OpenAPI at /openapi.json, health at /healthz. Tests call inject() on it.
 */
import swagger from '@fastify/swagger'
import Fastify, { type FastifyInstance } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { bearerAuth } from './admin-auth.js'
import type { ApiDeps } from './api-deps.js'
import { installErrorHandler } from './api-error.js'
import { prometheusText } from '../forwarder/metrics.js'
import { deviceRoutes } from './routes/devices.js'
import { jobConfirmRoutes } from './routes/job-confirm.js'
import { jobEventRoutes } from './routes/job-events.js'
import { jobRecordRoutes } from './routes/job-record.js'
import { jobReviewRoutes } from './routes/job-review.js'
import { jobRoutes } from './routes/jobs.js'
import { quarantineRoutes } from './routes/quarantine.js'

export async function buildApi(deps: ApiDeps, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024 }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandler(app, deps.log)

  await app.register(swagger, {
    openapi: {
      info: { title: 'Installation verification gateway', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', ...deps.health() }))
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(prometheusText({ status: 'ok', ...deps.health() })),
  )

  await app.register(
    async (api) => {
      api.addHook('onRequest', bearerAuth(deps.adminToken))
      await api.register(deviceRoutes(deps))
      await api.register(jobRoutes(deps))
      await api.register(jobEventRoutes(deps))
      await api.register(jobReviewRoutes(deps))
      await api.register(jobRecordRoutes(deps))
      await api.register(jobConfirmRoutes(deps))
      await api.register(quarantineRoutes(deps))
    },
    { prefix: '/api/v1' },
  )
  return app
}
