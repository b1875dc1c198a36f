/**
 * sinks: where stored data goes beyond SQLite. Today one sink, InfluxDB (docs/influx-schema.md),
 * when GW_INFLUX_URL is set: the ingest log fills the outbox in its own transaction, the
 * forwarder (a thread of its own, so forwarding never slows acknowledging readings) drains it,
 * and each changed verdict is queued for it (the quality dashboards read verdicts there); the
 * alerts module relays each alert change to the sinks named by alertSinks (the fleet dashboard).
 *
 * Starts before the ingest: the outbox must be configured before the first append.
 */
import { ForwarderHost } from '../sinks/influx/forwarder-host.js'
import { JobRepository } from '../jobs/job-repository.js'
import { configureInfluxOutbox, INFLUX_ALERT_SINK, INFLUX_SINK } from '../sinks/influx/influx-outbox.js'
import { GatewayModule, type ModuleContext } from './module.js'
import type { StoreModule } from './store-module.js'

export class SinksModule extends GatewayModule {
  readonly name = 'sinks'
  /** The InfluxDB forwarder while started, if configured. */
  influx: ForwarderHost | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { store: StoreModule },
  ) {
    super(ctx)
  }

  /** The outbox sinks the ingest log appends every stored reading for (gateway/outbox/). */
  get readingSinks(): readonly string[] {
    return this.ctx.config.influx !== undefined ? [INFLUX_SINK] : []
  }

  /** The outbox sinks the alerts' relay appends every alert change for (gateway/alerts/alert-points-relay.ts). */
  get alertSinks(): readonly string[] {
    return this.ctx.config.influx !== undefined ? [INFLUX_ALERT_SINK] : []
  }

  health(): Record<string, unknown> {
    return { forwarder: this.influx?.stats() ?? { enabled: false } }
  }

  protected open(): void {
    const { config, clock, log } = this.ctx
    const db = this.deps.store.db
    configureInfluxOutbox(db, config.influx !== undefined)
    if (!config.influx) return
    const influx = (this.influx = new ForwarderHost({ db, dataDir: config.dataDir, sync: config.sync, influx: config.influx, clock, log }))
    influx.start()
    const jobs = new JobRepository(db) // read only: the installer a verdict is tagged with
    this.on('verdict.changed', ({ verdict }) => {
      // Queued durably, forwarded with the readings.
      influx.writeVerdict({ ...verdict, installerId: jobs.get(verdict.jobId)?.installerId ?? null, at: verdict.evaluatedAt })
    })
  }

  protected async close(): Promise<void> {
    await this.influx?.stop()
  }
}
