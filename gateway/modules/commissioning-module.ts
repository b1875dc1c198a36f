/**
 * commissioning: jobs (one installation each), their markers, record, overrides and step
 * events; the live verdict (the job monitor, evaluating in a thread of its own: a job of
 * 500,000 readings must not hold up the event loop that acknowledges readings); the job
 * routes; and the job status topic, retained, for the installer's devices to watch.
 */
import { meterAccuracyFromAttributes } from '../../rules/meter-accuracy.js'
import { jobStatusTopic } from '../../contract/topics.js'
import { jobConfirmRoutes } from '../api/routes/job-confirm.js'
import { jobEventRoutes } from '../api/routes/job-events.js'
import { jobRecordRoutes } from '../api/routes/job-record.js'
import { jobReviewRoutes } from '../api/routes/job-review.js'
import { jobRoutes } from '../api/routes/jobs.js'
import { stepEventRoutes } from '../api/routes/step-events.js'
import { EvaluationHost } from '../jobs/evaluation-host.js'
import { JobMonitor } from '../jobs/job-monitor.js'
import { JobRepository } from '../jobs/job-repository.js'
import { StepEventRepository } from '../jobs/step-event-repository.js'
import { SqliteReadingStore } from '../store/sqlite-reading-store.js'
import type { ApiModule } from './api-module.js'
import type { BrokerModule } from './broker-module.js'
import type { DevicesModule } from './devices-module.js'
import { GatewayModule, type ModuleContext } from './module.js'
import type { PreflightModule } from './preflight-module.js'
import type { StoreModule } from './store-module.js'

export class CommissioningModule extends GatewayModule {
  readonly name = 'commissioning'
  /** The live verdicts while started. */
  monitor: JobMonitor | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { preflight: PreflightModule; store: StoreModule; devices: DevicesModule; broker: BrokerModule; api: ApiModule },
  ) {
    super(ctx)
  }

  health(): Record<string, unknown> {
    return this.monitor ? { jobs: this.monitor.stats() } : {}
  }

  protected open(): void {
    const { config, clock, log, bus } = this.ctx
    const { store, broker } = this.deps
    const db = store.db
    const devices = this.deps.devices.registry
    const jobs = new JobRepository(db, bus)
    const stepEvents = new StepEventRepository(db, bus)
    const monitor = (this.monitor = new JobMonitor({
      jobs,
      evaluator: new EvaluationHost({ dataDir: config.dataDir, sync: config.sync, siteUtcOffsetMinutes: config.siteUtcOffsetMinutes, maxCachedReadings: config.jobCacheMaxReadings, log }),
      clock,
      log,
      minIntervalMs: config.evalMinIntervalMs,
      facts: {
        calibrationOf: (deviceId) => ({ calibrationDue: devices.get(deviceId)?.attributes.calibrationDue }),
        accuracyOf: (deviceId) => meterAccuracyFromAttributes(devices.get(deviceId)?.attributes),
        stepEvents: (jobId) => stepEvents.events(jobId),
      },
      bus,
      owner: this.name,
    }))
    monitor.start()

    // The installer's devices (or their bridge) may watch the live status of the job they are attached to.
    broker.allowJobWatch((identity, jobId) => monitor.attachedTo(identity.id, jobId) || identity.bridgeFor.some((id) => monitor.attachedTo(id, jobId)))
    this.on('verdict.changed', ({ verdict }) => {
      broker.publish(jobStatusTopic(verdict.jobId), JSON.stringify(verdict), { qos: 1, retain: true }).catch((err: unknown) => {
        log('warn', 'could not publish job status', { jobId: verdict.jobId, err: String(err) })
      })
    })

    const deps = { clock, jobs, stepEvents, monitor, devices, packs: this.deps.preflight.packs, store: new SqliteReadingStore(db) }
    for (const routes of [jobRoutes, jobEventRoutes, stepEventRoutes, jobReviewRoutes, jobRecordRoutes, jobConfirmRoutes]) this.deps.api.routes(this.name, routes(deps))
  }

  protected async close(): Promise<void> {
    await this.monitor?.stop()
  }
}
