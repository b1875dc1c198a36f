import type { RulePack } from '../../rules/pack-schema.js'
import type { Clock } from '../clock.js'
import type { DeviceRegistry } from '../devices/device-registry.js'
import type { JobRepository } from '../jobs/job-repository.js'
import type { JobMonitor } from '../jobs/job-monitor.js'
import type { StepEventRepository } from '../jobs/step-event-repository.js'
import type { Log } from '../log.js'
import type { QuarantineRepository } from '../store/quarantine-repository.js'
import type { ReadingStore } from '../store/reading-store.js'

/** What the HTTP API needs from the rest of the gateway. */
export interface ApiDeps {
  adminToken: string
  log: Log
  clock: Clock
  devices: DeviceRegistry
  jobs: JobRepository
  /** Events inside a step (evacuation isolation). */
  stepEvents: StepEventRepository
  /** Verdicts, evaluated live. */
  monitor: JobMonitor
  store: ReadingStore
  quarantine: QuarantineRepository
  packs: ReadonlyMap<string, RulePack>
  /** Also accepted on /metrics (GW_METRICS_TOKEN), besides the admin token. */
  metricsToken?: string | undefined
  health: () => HealthReport
  metrics: { text(): Promise<string>; readonly contentType: string }
}

/** /healthz: `degraded` (HTTP 503) while any reason holds, e.g. the last ingest commit failed. */
export type HealthReport = { status: 'ok' | 'degraded'; reasons: string[] } & Record<string, unknown>
