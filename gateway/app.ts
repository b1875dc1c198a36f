/**
 * The composition root: the whole gateway in one process, as a list of modules
 * (modules/module.ts) started in order and stopped in reverse by a ModuleRunner.
 *
 * To add a module: write it (a GatewayModule: name, open(), close()), construct it below after
 * the modules it uses, and put it in the list where it must start. It listens on the bus
 * (bus/events.ts) for what it reacts to, and hands its routes to `api` and its MQTT needs to
 * `broker` (both hosts: they start after the modules that hand them something).
 */
import type { FastifyInstance } from 'fastify'
import type { RulePack } from '../rules/pack-schema.js'
import type { HealthReport } from './api/api-deps.js'
import { EventBus } from './bus/event-bus.js'
import { systemClock, type Clock } from './clock.js'
import type { GatewayConfig } from './config.js'
import type { ForwarderHost } from './sinks/influx/forwarder-host.js'
import type { Ingest } from './ingest/ingest.js'
import type { JobMonitor } from './jobs/job-monitor.js'
import { createLog, type Log } from './log.js'
import { CommitHealth } from './metrics/commit-health.js'
import { GatewayMetrics } from './metrics/gateway-metrics.js'
import { AlertsModule } from './modules/alerts-module.js'
import type { AlertDeliveries } from './alerts/deliveries/alert-deliveries.js'
import { AlertDeliveriesModule } from './modules/alert-deliveries-module.js'
import { ApiModule } from './modules/api-module.js'
import { BrokerModule } from './modules/broker-module.js'
import { CommissioningModule } from './modules/commissioning-module.js'
import { DevicesModule } from './modules/devices-module.js'
import { IngestModule } from './modules/ingest-module.js'
import type { Module, ModuleContext } from './modules/module.js'
import { ModuleRunner } from './modules/module-runner.js'
import { PreflightModule } from './modules/preflight-module.js'
import { RetentionModule } from './modules/retention-module.js'
import { SinksModule } from './modules/sinks-module.js'
import { StoreModule } from './modules/store-module.js'
import type { Db } from './store/database.js'
import type { QuarantineRetention } from './store/quarantine-retention.js'

export interface GatewayOptions {
  clock?: Clock
  log?: Log
  /** Called once when this start generated the admin token (the process shell shows it on a terminal). */
  onAdminTokenGenerated?: (token: string, file: string) => void
  /** false: no MQTT broker and no HTTP socket; the API answers `inject()` only (route tests). Default true. */
  sockets?: boolean
}

export class Gateway {
  readonly clock: Clock
  readonly log: Log
  /** Every event modules tell each other (bus/events.ts). */
  readonly bus: EventBus
  /** Every metric /metrics serves; modules with metrics of their own register on `metrics.registry`. */
  readonly metrics: GatewayMetrics
  private readonly commitHealth: CommitHealth
  private readonly runner: ModuleRunner
  private readonly m: {
    preflight: PreflightModule
    store: StoreModule
    retention: RetentionModule
    sinks: SinksModule
    commissioning: CommissioningModule
    alerts: AlertsModule
    ingest: IngestModule
    broker: BrokerModule
    alertDeliveries: AlertDeliveriesModule
    api: ApiModule
  }
  private starting: Promise<void> | undefined
  private stopping: Promise<void> | undefined

  constructor(
    readonly config: GatewayConfig,
    opts: GatewayOptions = {},
  ) {
    const clock = (this.clock = opts.clock ?? systemClock)
    const log = (this.log = opts.log ?? createLog(config.logLevel))
    this.bus = new EventBus(log)
    this.metrics = new GatewayMetrics(() => this.health())
    this.commitHealth = new CommitHealth(this.metrics.registry, clock)
    const ctx: ModuleContext = { config, clock, log, bus: this.bus, metrics: this.metrics }

    // Hosts first (constructed, not started): the others hand them routes and MQTT handlers.
    const sockets = opts.sockets ?? true
    const api = new ApiModule(ctx, { health: () => this.health(), onAdminTokenGenerated: opts.onAdminTokenGenerated, listen: sockets })
    const preflight = new PreflightModule(ctx)
    const store = new StoreModule(ctx, preflight)
    const devices = new DevicesModule(ctx, { store, api })
    const broker = new BrokerModule(ctx, { devices })
    const retention = new RetentionModule(ctx, { store })
    const sinks = new SinksModule(ctx, { store })
    const commissioning = new CommissioningModule(ctx, { preflight, store, devices, broker, api })
    const alerts = new AlertsModule(ctx, { preflight, store, devices, api, sinks })
    const ingest = new IngestModule(ctx, { store, devices, retention, sinks, broker, api, commitObserver: this.commitHealth })
    const alertDeliveries = new AlertDeliveriesModule(ctx, { store, alerts, broker, api })
    this.m = { preflight, store, retention, sinks, commissioning, alerts, ingest, broker, alertDeliveries, api }

    // Start order (stopped in reverse): refuse a bad configuration before writing anything;
    // the outbox (sinks) before the first append (ingest); the hosts last, once handed everything.
    const order: Module[] = [preflight, store, devices, retention, sinks, commissioning, alerts, ingest, ...(sockets ? [broker] : []), alertDeliveries, api]
    this.runner = new ModuleRunner(order, log)
  }

  /** /healthz: degraded with the reasons while the ingest cannot commit; each module's section. */
  health(): HealthReport {
    const reasons: string[] = []
    const commit = this.commitHealth.problem()
    if (commit !== undefined) reasons.push(commit)
    const alerts = this.m.alertDeliveries.problem()
    if (alerts !== undefined) reasons.push(alerts)
    const sections: Record<string, unknown> = {}
    for (const m of this.runner.modules) {
      for (const [k, v] of Object.entries(m.health?.() ?? {})) {
        // Two modules may report parts of one section (alerts: the alerts module and its deliveries).
        const had = sections[k]
        sections[k] = isObject(had) && isObject(v) ? { ...had, ...v } : v
      }
    }
    return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons, ...sections }
  }

  /** Idempotent; a failed start leaves nothing open (the runner stops what it started). */
  start(): Promise<void> {
    this.starting ??= this.open()
    return this.starting
  }

  /** Idempotent; waits for a start in progress, then stops every started module, last first. */
  stop(): Promise<void> {
    this.stopping ??= (this.starting ?? Promise.resolve()).catch(() => {}).then(() => this.runner.stop())
    return this.stopping
  }

  get mqttPort(): number {
    return this.m.broker.port
  }

  get httpPort(): number {
    return this.m.api.port
  }

  /** The HTTP API's fastify instance while started (`inject()` needs no socket). */
  get http(): FastifyInstance | undefined {
    return this.m.api.http
  }

  get adminToken(): string {
    return this.m.api.adminToken
  }

  get packs(): ReadonlyMap<string, RulePack> {
    return this.m.preflight.packs
  }

  get ingest(): Ingest | undefined {
    return this.m.ingest.ingest
  }

  get monitor(): JobMonitor | undefined {
    return this.m.commissioning.monitor
  }

  /** Fault alerts of units in service (flush() / tick() for tests with a ManualClock). */
  get alerts(): AlertsModule {
    return this.m.alerts
  }

  /** Forwards to InfluxDB when GW_INFLUX_URL is set. */
  get influx(): ForwarderHost | undefined {
    return this.m.sinks.influx
  }

  /** Alert deliveries to the teams while started (tests look at them and queue groups due). */
  get alertDeliveries(): AlertDeliveries | undefined {
    return this.m.alertDeliveries.deliveriesIfStarted
  }

  /** Quarantine age and size limits (GW_QUARANTINE_MAX_AGE_DAYS, GW_QUARANTINE_MAX_BYTES). */
  get quarantineRetention(): QuarantineRetention | undefined {
    return this.m.retention.quarantineIfStarted
  }

  /** The database while open (tests and the bench look inside). */
  private get db(): Db | undefined {
    return this.m.store.openDb
  }

  private async open(): Promise<void> {
    this.metrics.collectProcessMetrics()
    await this.runner.start()
    this.log('info', 'gateway started', { mqttPort: this.mqttPort, httpPort: this.httpPort, dataDir: this.config.dataDir })
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
