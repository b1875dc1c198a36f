/**
 * The whole gateway in one process: SQLite store, device registry, ingest, broker, HTTP
 * API, and (with InfluxDB) the forwarder in a thread of its own. Constructors do no I/O;
 * start() opens everything, stop() closes it all (idempotent).
 */
import type { FastifyInstance } from 'fastify'
import { startBroker, type RunningBroker } from '../broker/broker.js'
import type { RulePack } from '../rules/pack-schema.js'
import { resolveAdminToken } from './admin-token.js'
import { buildApi } from './api/build-api.js'
import { systemClock, type Clock } from './clock.js'
import type { GatewayConfig } from './config.js'
import { deviceErrorTopic, jobStatusTopic } from './contract/topics.js'
import { DeviceRegistry } from './devices/device-registry.js'
import { ForwarderHost } from './forwarder/forwarder-host.js'
import { Ingest } from './ingest/ingest.js'
import { JobRepository } from './jobs/job-repository.js'
import { JobMonitor } from './jobs/job-monitor.js'
import { JobReadingCache } from './jobs/job-reading-cache.js'
import { VerdictService } from './jobs/verdict-service.js'
import { createLog, type Log } from './log.js'
import { defaultPacksDir, loadRulePacks } from './rules/load-packs.js'
import { checkPackHashes } from './rules/pack-hashes.js'
import { openDatabase, type Db } from './store/database.js'
import { IngestLog } from './store/ingest-log.js'
import { QuarantineRepository } from './store/quarantine-repository.js'
import { SqliteReadingStore } from './store/sqlite-reading-store.js'
import { configureInfluxOutbox } from './store/influx-outbox.js'

export interface GatewayOptions {
  clock?: Clock
  log?: Log
}

export class Gateway {
  private db: Db | undefined
  private ingestLog: IngestLog | undefined
  private broker: RunningBroker | undefined
  private http: FastifyInstance | undefined
  private stopping: Promise<void> | undefined
  readonly clock: Clock
  readonly log: Log
  ingest: Ingest | undefined
  monitor: JobMonitor | undefined
  /** Forwards to InfluxDB when GW_INFLUX_URL is set; writeVerdict() queues a verdict for it. */
  influx: ForwarderHost | undefined
  adminToken = ''
  packs: ReadonlyMap<string, RulePack> = new Map()

  constructor(
    readonly config: GatewayConfig,
    opts: GatewayOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock
    this.log = opts.log ?? createLog(config.logLevel)
  }

  get mqttPort(): number {
    return this.broker?.port ?? 0
  }

  get httpPort(): number {
    const addr = this.http?.server.address()
    return typeof addr === 'object' && addr ? addr.port : 0
  }

  async start(): Promise<void> {
    if (this.db) return
    const { config, clock, log } = this
    // Rule packs first: a broken pack refuses the start before anything listens.
    this.packs = loadRulePacks(config.rulesDir ?? defaultPacksDir())
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
    if (admin.generated) log('info', 'generated admin token (kept in the data dir)', { adminToken: admin.token, file: `${config.dataDir}/admin-token` })

    const devices = new DeviceRegistry(db)
    const jobs = new JobRepository(db)
    const store = new SqliteReadingStore(db)
    const quarantine = new QuarantineRepository(db)
    // --- InfluxDB (docs/influx-schema.md): the ingest log fills the outbox, the forwarder drains it ---
    configureInfluxOutbox(db, config.influx !== undefined)
    this.ingestLog = new IngestLog(db, { influxOutbox: config.influx !== undefined })
    if (config.influx) {
      // In its own thread: forwarding must not slow down acknowledging readings.
      this.influx = new ForwarderHost({ db, dataDir: config.dataDir, sync: config.sync, influx: config.influx, clock, log })
      this.influx.start()
    }
    // --- end InfluxDB ---
    // One cache: the monitor extends it with every new reading, verdicts read from it.
    const cache = new JobReadingCache(store)
    const monitor = (this.monitor = new JobMonitor(jobs, new VerdictService({
        jobs,
        source: cache,
        clock,
        calibrationOf: (deviceId) => ({ calibrationDue: devices.get(deviceId)?.attributes.calibrationDue }),
        siteUtcOffsetMinutes: config.siteUtcOffsetMinutes,
      }), cache))
    const ingest = (this.ingest = new Ingest({
      log: this.ingestLog,
      devices,
      clock,
      futureToleranceMs: config.futureToleranceMs,
      watcher: monitor,
      sendError: (deviceId, message) => {
        this.broker?.publish(deviceErrorTopic(deviceId), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
          log('warn', 'could not publish device error', { deviceId, err: String(err) })
        })
      },
    }))

    this.broker = await startBroker({
      host: config.bind,
      port: config.mqttPort,
      maxPacketBytes: config.maxPacketBytes,
      maxPendingConnections: config.maxPendingConnections,
      connectTimeoutMs: config.connectTimeoutMs,
      authenticate: async (id, secret) => devices.authenticate(id, secret),
      onDevicePublish: (identity, packet) => ingest.handle(identity, packet),
      // The installer's devices (or their bridge) may watch the live status of the job they are attached to.
      mayWatchJob: (identity, jobId) => [identity.id, ...identity.bridgeFor].some((id) => monitor.attachedTo(id, jobId)),
      log,
    })
    monitor.subscribe('*', (verdict) => {
      this.broker?.publish(jobStatusTopic(verdict.jobId), JSON.stringify(verdict), { qos: 1, retain: true }).catch((err: unknown) => {
        log('warn', 'could not publish job status', { jobId: verdict.jobId, err: String(err) })
      })
      // The quality dashboards read verdicts from InfluxDB (queued durably, forwarded with the readings).
      this.influx?.writeVerdict({ ...verdict, installerId: jobs.get(verdict.jobId)?.installerId ?? null, at: verdict.evaluatedAt })
    })

    this.http = await buildApi({
      adminToken: admin.token,
      log,
      clock,
      devices,
      jobs,
      monitor,
      store,
      quarantine,
      packs: this.packs,
      health: () => ({ mqtt: this.broker?.stats(), ingest: ingest.counters, forwarder: this.influx?.stats() ?? { enabled: false } }),
    })
    await this.http.listen({ host: config.bind, port: config.httpPort })
    log('info', 'gateway started', { mqttPort: this.mqttPort, httpPort: this.httpPort, dataDir: config.dataDir })
  }

  stop(): Promise<void> {
    this.stopping ??= this.close()
    return this.stopping
  }

  private async close(): Promise<void> {
    await this.http?.close()
    this.monitor?.stop()
    await this.broker?.close()
    this.ingestLog?.flush()
    await this.influx?.stop()
    this.db?.close()
  }
}
