/**
 * api: the HTTP host (gateway/api/build-api.ts). Modules hand it their routes while they start
 * (`api.routes(this.name, plugin)`); it starts after them, registers every plugin under
 * /api/v1 behind the admin token, and listens. A token this start generated is kept only once
 * it listens, so a start refused on its ports leaves no token nobody was told about.
 */
import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { resolveAdminToken } from '../admin-token.js'
import type { HealthReport } from '../api/api-deps.js'
import { buildApi } from '../api/build-api.js'
import { listenOrExplain } from '../startup-checks.js'
import { GatewayModule, type ModuleContext } from './module.js'

export interface ApiModuleOptions {
  health: () => HealthReport
  /** Called once when this start generated the admin token (the process shell shows it on a terminal). */
  onAdminTokenGenerated?: ((token: string, file: string) => void) | undefined
  /** false: build the host without a socket (tests that need only `inject()`). Default true. */
  listen?: boolean
}

export class ApiModule extends GatewayModule {
  readonly name = 'api'
  private readonly plugins: { owner: string; plugin: FastifyPluginAsyncZod }[] = []
  /** The fastify instance while started (`http.inject()` for tests without a socket). */
  http: FastifyInstance | undefined
  adminToken = ''

  constructor(
    ctx: ModuleContext,
    private readonly opts: ApiModuleOptions,
  ) {
    super(ctx)
  }

  /** Hands the host one plugin of routes (relative to /api/v1); before the host starts. */
  routes(owner: string, plugin: FastifyPluginAsyncZod): void {
    if (this.http) throw new Error(`module '${owner}' handed the api its routes after the api started; the api must start after it`)
    this.plugins.push({ owner, plugin })
  }

  get port(): number {
    const addr = this.http?.server.address()
    return typeof addr === 'object' && addr ? addr.port : 0
  }

  protected async open(): Promise<void> {
    const { config, log } = this.ctx
    const admin = resolveAdminToken(config.adminToken, config.dataDir)
    this.adminToken = admin.token
    const http = (this.http = await buildApi(
      { adminToken: admin.token, metricsToken: config.metricsToken, log, health: this.opts.health, metrics: this.ctx.metrics },
      this.plugins.map((p) => p.plugin),
    ))
    if (this.opts.listen === false) await http.ready()
    else await listenOrExplain('GW_HTTP_PORT', config.bind, config.httpPort, () => http.listen({ host: config.bind, port: config.httpPort }))
    if (admin.generated) {
      admin.keep()
      // The token itself never goes into the log (logs are shipped and kept); where it is kept does.
      log('info', 'generated an admin token; it is kept in the file named here (or set GW_ADMIN_TOKEN)', { file: admin.file })
      this.opts.onAdminTokenGenerated?.(admin.token, admin.file)
    }
  }

  protected async close(): Promise<void> {
    await this.http?.close()
  }
}
