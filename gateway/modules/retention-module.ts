/**
 * retention: keeps the quarantine within its age and size limits (GW_QUARANTINE_MAX_AGE_DAYS,
 * GW_QUARANTINE_MAX_BYTES). Inserts also prune (amortized, via recorded()); the timer covers a
 * quiet gateway whose records only age.
 */
import { AGE_CHECK_MS, QuarantineRetention } from '../store/quarantine-retention.js'
import { GatewayModule, started, type ModuleContext } from './module.js'
import type { StoreModule } from './store-module.js'

export class RetentionModule extends GatewayModule {
  readonly name = 'retention'
  private retention: QuarantineRetention | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { store: StoreModule },
  ) {
    super(ctx)
  }

  get quarantine(): QuarantineRetention {
    return started(this.retention, this.name, 'quarantine retention')
  }

  /** undefined before start (Gateway.quarantineRetention). */
  get quarantineIfStarted(): QuarantineRetention | undefined {
    return this.retention
  }

  health(): Record<string, unknown> {
    return this.retention ? { quarantine: this.retention.stats() } : {}
  }

  protected open(): void {
    const { config, clock, log } = this.ctx
    const retention = (this.retention = new QuarantineRetention(this.deps.store.db, {
      maxAgeMs: config.quarantineMaxAgeDays * 86_400_000,
      maxBytes: config.quarantineMaxBytes,
      clock,
      log,
    }))
    retention.init()
    this.timer = setInterval(() => retention.prune(), AGE_CHECK_MS).unref()
  }

  protected close(): void {
    clearInterval(this.timer)
  }
}
