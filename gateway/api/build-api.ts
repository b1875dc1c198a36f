/**
 * The HTTP API as a fastify instance: zod-validated routes under /api/v1 behind the admin
 * bearer token, OpenAPI at /openapi.json, health at /healthz, metrics at /metrics.
 *
 * Without a token: /healthz answers only `{status}` (200 ok / 503 degraded, for load
 * balancers and the container HEALTHCHECK; the details name devices' counts, errors and
 * paths); /openapi.json is public (it is documentation, no data). /metrics needs a bearer
 * token: GW_METRICS_TOKEN (for a scraper that must not hold the admin token) or the admin
 * token. A wrong token is refused (401) everywhere, never silently treated as none.
 */
import swagger from '@fastify/swagger'
import Fastify, { type FastifyInstance } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { bearerAuth, bearerStatus } from './admin-auth.js'
import type { ApiDeps } from './api-deps.js'
import { ApiError, installErrorHandler } from './api-error.js'

/** What the host itself needs: the tokens, the log, /healthz and /metrics. */
export type ApiHostDeps = Pick<ApiDeps, 'adminToken' | 'metricsToken' | 'log' | 'health' | 'metrics'>

/**
 * The host: health, OpenAPI, metrics, and under /api/v1 (behind the admin token) every
 * plugin the modules handed in (fastify/demo's app-as-plugin: each module's routes are one
 * plugin, registered here in the order given).
 */
export async function buildApi(deps: ApiHostDeps, routes: readonly FastifyPluginAsyncZod[], opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
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

  const unauthorized = new ApiError(401, 'GW_ERR_UNAUTHORIZED', 'wrong bearer token (Authorization: Bearer <GW_ADMIN_TOKEN>)')
  app.get('/healthz', { schema: { hide: true } }, async (req, reply) => {
    const auth = bearerStatus(req, [deps.adminToken])
    if (auth === 'invalid') throw unauthorized
    const health = deps.health()
    reply.code(health.status === 'ok' ? 200 : 503)
    return auth === 'valid' ? health : { status: health.status }
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  const metricsAuth = deps.metricsToken ? bearerAuth([deps.metricsToken, deps.adminToken], 'GW_METRICS_TOKEN or GW_ADMIN_TOKEN') : bearerAuth([deps.adminToken])
  app.get('/metrics', { schema: { hide: true }, onRequest: metricsAuth }, async (_req, reply) =>
    reply.type(deps.metrics.contentType).send(await deps.metrics.text()),
  )

  await app.register(
    async (api) => {
      api.addHook('onRequest', bearerAuth([deps.adminToken]))
      for (const plugin of routes) await api.register(plugin)
    },
    { prefix: '/api/v1' },
  )
  return app
}
