/**
 * ingest: a device's publish → parsed, validated, appended durably to the ingest log (readings,
 * or the message quarantined with its reason), answered on the device's error topic; what was
 * stored is told on the bus ('readings.stored'). Also the quarantine's routes.
 */
import { deviceErrorTopic } from '../../contract/topics.js'
import { quarantineRoutes } from '../api/routes/quarantine.js'
import { Ingest } from '../ingest/ingest.js'
import type { CommitHealth } from '../metrics/commit-health.js'
import { IngestLog } from '../store/ingest-log.js'
import { WalSync } from '../store/wal-sync.js'
import { QuarantineRepository } from '../store/quarantine-repository.js'
import type { ApiModule } from './api-module.js'
import type { BrokerModule } from './broker-module.js'
import type { DevicesModule } from './devices-module.js'
import { GatewayModule, type ModuleContext } from './module.js'
import type { RetentionModule } from './retention-module.js'
import type { SinksModule } from './sinks-module.js'
import type { StoreModule } from './store-module.js'

export class IngestModule extends GatewayModule {
  readonly name = 'ingest'
  ingest: Ingest | undefined
  private log: IngestLog | undefined
  private walSync: WalSync | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: {
      store: StoreModule
      devices: DevicesModule
      retention: RetentionModule
      sinks: SinksModule
      broker: BrokerModule
      api: ApiModule
      /** Told of each commit's success or failure (/healthz degraded while commits fail). */
      commitObserver: CommitHealth
    },
  ) {
    super(ctx)
  }

  health(): Record<string, unknown> {
    return this.ingest ? { ingest: this.ingest.counters } : {}
  }

  protected open(): void {
    const { config, clock, log, bus } = this.ctx
    const { store, broker, sinks, commitObserver } = this.deps
    const db = store.db
    const retention = this.deps.retention.quarantine
    // GW_SYNC=full: the WAL is flushed off the event loop, before the PUBACKs (gateway/store/wal-sync.ts).
    this.walSync = config.sync === 'full' ? new WalSync(`${db.name}-wal`) : undefined
    this.log = new IngestLog(db, { outboxSinks: sinks.readingSinks, commitObserver, ...(this.walSync ? { sync: this.walSync } : {}) })
    const ingest = (this.ingest = new Ingest({
      log: this.log,
      devices: this.deps.devices.registry,
      clock,
      futureToleranceMs: config.futureToleranceMs,
      limits: { maxSamples: config.maxSamplesPerMessage, maxValuesPerSample: config.maxValuesPerSample },
      bus,
      onQuarantined: (bytes) => retention.recorded(bytes),
      sendError: (deviceId, message) => {
        broker.publish(deviceErrorTopic(deviceId), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
          log('warn', 'could not publish device error', { deviceId, err: String(err) })
        })
      },
    }))
    broker.handlePublishes((identity, packet) => ingest.handle(identity, packet))
    this.deps.api.routes(this.name, quarantineRoutes({ quarantine: new QuarantineRepository(db) }))
  }

  protected close(): void {
    // Stopped after the broker: no publish arrives any more; what is pending is committed.
    this.log?.flush()
    this.walSync?.close()
  }
}
