/**
 * The whole gateway in one process: SQLite store, device registry, ingest, broker, HTTP
 * API, and (with InfluxDB) the forwarder in a thread of its own. Constructors do no I/O;
 * start() opens everything, stop() closes it all (idempotent).
 */
import type { FastifyInstance } from 'fastify'
import { startBroker, type RunningBroker } from '../broker/broker.js'
import type { RulePack } from '../rules/pack-schema.js'
import { resolveAdminToken } from './admin-token.js'
import type { HealthReport } from './api/api-deps.js'
import { buildApi } from './api/build-api.js'
import { systemClock, type Clock } from './clock.js'
import { ConfigError, type GatewayConfig } from './config.js'
import { deviceErrorTopic, jobStatusTopic } from '../contract/topics.js'
import { EventBus } from './bus/event-bus.js'
import { DeviceRegistry } from './devices/device-registry.js'
import { ForwarderHost } from './forwarder/forwarder-host.js'
import { Ingest } from './ingest/ingest.js'
import { JobRepository } from './jobs/job-repository.js'
import { EvaluationHost } from './jobs/evaluation-host.js'
import { JobMonitor } from './jobs/job-monitor.js'
import { createLog, type Log } from './log.js'
import { CommitHealth } from './metrics/commit-health.js'
import { GatewayMetrics } from './metrics/gateway-metrics.js'
import { checkBindAddress, listenOrExplain } from './startup-checks.js'
import { DataDirLock } from './store/data-dir-lock.js'
import { defaultPacksDir, loadRulePacks } from './rules/load-packs.js'
import { checkPackHashes } from './rules/pack-hashes.js'
import { openDatabase, type Db } from './store/database.js'
import { IngestLog } from './store/ingest-log.js'
import { QuarantineRepository } from './store/quarantine-repository.js'
import { AGE_CHECK_MS, QuarantineRetention } from './store/quarantine-retention.js'
import { SqliteReadingStore } from './store/sqlite-reading-store.js'
import { configureInfluxOutbox } from './store/influx-outbox.js'
import { meterAccuracyFromAttributes } from '../rules/meter-accuracy.js'
import { StepEventRepository } from './jobs/step-event-repository.js'

export interface GatewayOptions {
  clock?: Clock
  log?: Log
  /** Called once when this start generated the admin token (the process shell shows it on a terminal). */
  onAdminTokenGenerated?: (token: string, file: string) => void
}

export class Gateway {
  private db: Db | undefined
  private ingestLog: IngestLog | undefined
  private broker: RunningBroker | undefined
  private http: FastifyInstance | undefined
  private stopping: Promise<void> | undefined
  private lock: DataDirLock | undefined
  private retentionTimer: NodeJS.Timeout | undefined
  readonly clock: Clock
  readonly log: Log
  ingest: Ingest | undefined
  monitor: JobMonitor | undefined
  /** Forwards to InfluxDB when GW_INFLUX_URL is set; writeVerdict() queues a verdict for it. */
  influx: ForwarderHost | undefined
  adminToken = ''
  /** Quarantine age and size limits (GW_QUARANTINE_MAX_AGE_DAYS, GW_QUARANTINE_MAX_BYTES). */
  quarantineRetention: QuarantineRetention | undefined
  packs: ReadonlyMap<string, RulePack> = new Map()
  /** Every metric /metrics serves; modules with metrics of their own register on `metrics.registry`. */
  readonly metrics: GatewayMetrics
  private readonly commitHealth: CommitHealth
  private healthSections: () => Record<string, unknown> = () => ({})

  constructor(
    readonly config: GatewayConfig,
    private readonly opts: GatewayOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock
    this.log = opts.log ?? createLog(config.logLevel)
    this.metrics = new GatewayMetrics(() => this.health())
    this.commitHealth = new CommitHealth(this.metrics.registry, this.clock)
  }

  /** /healthz: degraded with the reasons while the ingest cannot commit. */
  health(): HealthReport {
    const reasons: string[] = []
    const commit = this.commitHealth.problem()
    if (commit !== undefined) reasons.push(commit)
    return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons, ...this.healthSections() }
  }

  get mqttPort(): number {
    return this.broker?.port ?? 0
  }

  get httpPort(): number {
    const addr = this.http?.server.address()
    return typeof addr === 'object' && addr ? addr.port : 0
  }

  async start(): Promise<void> {
    if (this.db || this.lock) return
    try {
      await this.open()
    } catch (err) {
      // Leave nothing open behind a failed start (listeners, database, the data dir lock).
      await this.stop()
      throw err
    }
  }

  private async open(): Promise<void> {
    const { config, clock, log } = this
    // Everything that can refuse the configuration comes before the first write to the data
    // dir; the ports are checked by listening, and only then is a new admin token kept.
    // Rule packs first: a broken pack refuses the start before anything listens.
    try {
      this.packs = loadRulePacks(config.rulesDir ?? defaultPacksDir())
    } catch (err) {
      throw config.rulesDir === undefined ? err : new ConfigError(`GW_RULES_DIR=${JSON.stringify(config.rulesDir)}: ${(err as Error).message}`)
    }
    await checkBindAddress(config.bind)
    this.lock = DataDirLock.acquire(config.dataDir, clock)
    const db = (this.db = openDatabase(config.dataDir, config.sync))
    try {
      checkPackHashes(db, this.packs, clock.now())
    } catch (err) {
      db.close()
      this.db = undefined
      throw err
    }
    const admin = resolveAdminToken(config.adminToken, config.dataDir)
    this.adminToken = admin.token
    this.metrics.collectProcessMetrics()

    const bus = new EventBus(log)
    const devices = new DeviceRegistry(db, bus)
    const jobs = new JobRepository(db, bus)
    const stepEvents = new StepEventRepository(db, bus)
    const store = new SqliteReadingStore(db)
    const quarantine = new QuarantineRepository(db)
    const retention = (this.quarantineRetention = new QuarantineRetention(db, {
      maxAgeMs: config.quarantineMaxAgeDays * 86_400_000,
      maxBytes: config.quarantineMaxBytes,
      clock,
      log,
    }))
    retention.init()
    // Inserts also prune (amortized); the timer covers a quiet gateway whose records only age.
    this.retentionTimer = setInterval(() => retention.prune(), AGE_CHECK_MS).unref()
    // --- InfluxDB (docs/influx-schema.md): the ingest log fills the outbox, the forwarder drains it ---
    configureInfluxOutbox(db, config.influx !== undefined)
    this.ingestLog = new IngestLog(db, { influxOutbox: config.influx !== undefined, commitObserver: this.commitHealth })
    if (config.influx) {
      // In its own thread: forwarding must not slow down acknowledging readings.
      this.influx = new ForwarderHost({ db, dataDir: config.dataDir, sync: config.sync, influx: config.influx, clock, log })
      this.influx.start()
    }
    // --- end InfluxDB ---
    // Verdicts are computed in a thread of their own (jobs/evaluation-host.ts): a job of
    // 500,000 readings must not hold up the event loop that acknowledges readings.
    const monitor = (this.monitor = new JobMonitor({
      jobs,
      evaluator: new EvaluationHost({ dataDir: config.dataDir, sync: config.sync, siteUtcOffsetMinutes: config.siteUtcOffsetMinutes, maxCachedReadings: config.jobCacheMaxReadings, log }),
      clock,
      log,
      minIntervalMs: config.evalMinIntervalMs,
      bus,
      owner: 'commissioning',
      facts: {
        calibrationOf: (deviceId) => ({ calibrationDue: devices.get(deviceId)?.attributes.calibrationDue }),
        accuracyOf: (deviceId) => meterAccuracyFromAttributes(devices.get(deviceId)?.attributes),
        stepEvents: (jobId) => stepEvents.events(jobId),
      },
    }))
    monitor.start()
    const ingest = (this.ingest = new Ingest({
      log: this.ingestLog,
      devices,
      clock,
      futureToleranceMs: config.futureToleranceMs,
      limits: { maxSamples: config.maxSamplesPerMessage, maxValuesPerSample: config.maxValuesPerSample },
      bus,
      onQuarantined: (bytes) => retention.recorded(bytes),
      sendError: (deviceId, message) => {
        this.broker?.publish(deviceErrorTopic(deviceId), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
          log('warn', 'could not publish device error', { deviceId, err: String(err) })
        })
      },
    }))

    const publishAckPath = this.metrics.publishAckPath
    this.broker = await listenOrExplain('GW_MQTT_PORT', config.bind, config.mqttPort, () => startBroker({
      host: config.bind,
      port: config.mqttPort,
      maxPacketBytes: config.maxPacketBytes,
      maxPendingConnections: config.maxPendingConnections,
      connectTimeoutMs: config.connectTimeoutMs,
      // Rate and log limits run on wall time (broker default), not on the injected domain clock.
      ...config.brokerLimits,
      authenticate: async (id, secret) => devices.authenticate(id, secret),
      onDevicePublish: async (identity, packet) => {
        const end = publishAckPath.startTimer()
        try {
          await ingest.handle(identity, packet)
        } finally {
          end()
        }
      },
      // The installer's devices (or their bridge) may watch the live status of the job they are attached to.
      mayWatchJob: (identity, jobId) => monitor.attachedTo(identity.id, jobId) || identity.bridgeFor.some((id) => monitor.attachedTo(id, jobId)),
      log,
    }))
    bus.on('verdict.changed', 'broker', ({ verdict }) => {
      this.broker?.publish(jobStatusTopic(verdict.jobId), JSON.stringify(verdict), { qos: 1, retain: true }).catch((err: unknown) => {
        log('warn', 'could not publish job status', { jobId: verdict.jobId, err: String(err) })
      })
    })
    // The quality dashboards read verdicts from InfluxDB (queued durably, forwarded with the readings).
    bus.on('verdict.changed', 'sinks', ({ verdict }) => {
      this.influx?.writeVerdict({ ...verdict, installerId: jobs.get(verdict.jobId)?.installerId ?? null, at: verdict.evaluatedAt })
    })

    this.healthSections = () => ({ mqtt: this.broker?.stats(), ingest: ingest.counters, forwarder: this.influx?.stats() ?? { enabled: false }, jobs: monitor.stats(), quarantine: retention.stats() })
    this.http = await buildApi({
      adminToken: admin.token,
      metricsToken: config.metricsToken,
      log,
      clock,
      devices,
      jobs,
      stepEvents,
      monitor,
      store,
      quarantine,
      packs: this.packs,
      health: () => this.health(),
      metrics: this.metrics,
    })
    const http = this.http
    await listenOrExplain('GW_HTTP_PORT', config.bind, config.httpPort, () => http.listen({ host: config.bind, port: config.httpPort }))
    if (admin.generated) {
      admin.keep()
      // The token itself never goes into the log (logs are shipped and kept); where it is kept does.
      log('info', 'generated an admin token; it is kept in the file named here (or set GW_ADMIN_TOKEN)', { file: admin.file })
      this.opts.onAdminTokenGenerated?.(admin.token, admin.file)
    }
    log('info', 'gateway started', { mqttPort: this.mqttPort, httpPort: this.httpPort, dataDir: config.dataDir })
  }

  stop(): Promise<void> {
    this.stopping ??= this.close()
    return this.stopping
  }

  private async close(): Promise<void> {
    clearInterval(this.retentionTimer)
    await this.http?.close()
    await this.monitor?.stop()
    await this.broker?.close()
    this.ingestLog?.flush()
    await this.influx?.stop()
    this.db?.close()
    // Last: until the database is closed another gateway must not open it.
    this.lock?.release()
  }
}
