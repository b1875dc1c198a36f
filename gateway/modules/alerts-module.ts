/**
 * alerts: fault alerts of units in service (issue 11). Listens to 'readings.stored' (only the
 * in-service units' readings are built: readingsFor), 'attributes.changed' (errorCodes),
 * 'device.disconnected' (last will / connection close), 'unit.in_service' and 'job.changed';
 * the listeners only queue, and the evaluation runs in a setImmediate batch off the ack path.
 * One timer, re-armed at the next due time (silence of every unit, escalations, busy ticks).
 * Hands the api the in-service and alert routes.
 */
import { AlertEngine } from '../alerts/alert-engine.js'
import { AlertPointsRelay } from '../alerts/alert-points-relay.js'
import type { AlertStore } from '../alerts/alert-store.js'
import { InServiceRepository } from '../alerts/in-service-repository.js'
import { InspectionLog } from '../alerts/inspection-log.js'
import { loadTeamsConfig, type TeamsConfig } from '../alerts/teams-config.js'
import { ConfigError } from '../config.js'
import { alertRoutes } from '../api/routes/alerts.js'
import { inServiceRoutes } from '../api/routes/in-service.js'
import { unitServiceRoutes } from '../api/routes/unit-service.js'
import { JobRepository } from '../jobs/job-repository.js'
import type { ApiModule } from './api-module.js'
import type { DevicesModule } from './devices-module.js'
import { GatewayModule, started, type ModuleContext } from './module.js'
import type { PreflightModule } from './preflight-module.js'
import type { SinksModule } from './sinks-module.js'
import type { StoreModule } from './store-module.js'

/** setTimeout's longest delay (2^31-1 ms); a later due time is waited for in steps. */
const MAX_DELAY_MS = 2_147_483_647

export class AlertsModule extends GatewayModule {
  readonly name = 'alerts'
  private engineRef: AlertEngine | undefined
  private teamsRef: TeamsConfig | undefined
  private timer: NodeJS.Timeout | undefined
  private drainScheduled: NodeJS.Immediate | undefined
  private relay: AlertPointsRelay | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { preflight: PreflightModule; store: StoreModule; devices: DevicesModule; api: ApiModule; sinks: SinksModule },
  ) {
    super(ctx)
  }

  get engine(): AlertEngine {
    return started(this.engineRef, this.name, 'alert engine')
  }

  /** The alerts and their audit trail in SQLite (the deliveries read the trail through an AuditFeed). */
  get store(): AlertStore {
    return this.engine.store
  }

  /** The teams file's configuration (GW_ALERT_TEAMS_FILE), undefined without one. */
  get teams(): TeamsConfig | undefined {
    return this.teamsRef
  }

  health(): Record<string, unknown> {
    const e = this.engineRef
    return e ? { alerts: { inService: e.size, open: e.openAlerts(), queued: e.queued, ...e.counters } } : {}
  }

  /** Evaluates what is queued now (tests; the module does it on setImmediate). */
  flush(): void {
    this.engineRef?.drain()
    this.arm()
  }

  /** Runs what time decides at the clock's now (the timer does it; tests with a ManualClock call it). */
  tick(): void {
    this.engineRef?.tick(this.ctx.clock.now())
    this.arm()
  }

  protected open(): void {
    const { config, clock, log, bus } = this.ctx
    // Loaded once, here; the deliveries module reads it from this module. A bad file refuses the
    // start with its line (file and field), and the variable says where the file came from.
    const teams = (this.teamsRef = config.alertTeamsFile ? loadTeams(config.alertTeamsFile) : undefined)
    const db = this.deps.store.db
    const inService = new InServiceRepository(db, bus)
    const inspections = new InspectionLog(db)
    const engine = (this.engineRef = new AlertEngine({ db, bus, log, inService, inspections, teams, owner: this.name }))
    engine.load(clock.now())
    // Every committed change to the sinks that chart alerts (InfluxDB), read from the audit trail: at start, then per change.
    const alertSinks = this.deps.sinks.alertSinks
    if (alertSinks.length > 0) {
      const relay = (this.relay = new AlertPointsRelay({ db, store: engine.store, sinks: alertSinks, clock, log }))
      relay.start()
      this.on('alert.changed', () => relay.wake())
    }

    this.on('readings.stored', (e) => {
      if (engine.size === 0) return
      engine.enqueueReadings(e.readingsFor(engine.isWatched), clock.now())
      this.schedule()
    })
    this.on('attributes.changed', ({ deviceId, changed }) => {
      const codes = changed.errorCodes
      if (!Array.isArray(codes) || !engine.isWatched(deviceId)) return
      const now = clock.now()
      engine.enqueueCodes({ deviceId, ts: now, codes: codes.filter((c): c is string => typeof c === 'string') }, now)
      this.schedule()
    })
    this.on('device.disconnected', ({ deviceId, at, clean }) => {
      // A clean DISCONNECT is a device saying goodbye, not its last will: if it then stops
      // reporting, the silence index raises offline after the pack's time.
      if (clean) return
      engine.enqueueLink({ deviceId, signal: 'last_will' }, at)
      this.schedule()
    })
    this.on('device.bridge_link', ({ deviceId, connected, at }) => {
      // Reachable again is not data: "offline" clears when the unit's data comes.
      if (connected) return
      engine.enqueueLink({ deviceId, signal: 'bridge_disconnect' }, at)
      this.schedule()
    })
    this.on('unit.in_service', ({ deviceId }) => {
      engine.unitInService(deviceId, clock.now())
      this.arm()
    })
    this.on('job.changed', ({ deviceId }) => {
      if (deviceId !== undefined) engine.attachmentsChanged(deviceId)
    })

    const devices = this.deps.devices.registry
    const jobs = new JobRepository(db, bus)
    this.deps.api.routes(this.name, inServiceRoutes({ clock, jobs, devices, packs: this.deps.preflight.packs, inService }))
    this.deps.api.routes(this.name, alertRoutes({ clock, engine }))
    this.deps.api.routes(this.name, unitServiceRoutes({ clock, engine, inService, inspections, afterChange: () => this.arm() }))
    this.arm()
  }

  protected close(): void {
    if (this.timer) clearTimeout(this.timer)
    if (this.drainScheduled) clearImmediate(this.drainScheduled)
    this.timer = undefined
    this.drainScheduled = undefined
    // What was queued is evaluated and committed before the store closes.
    try {
      this.engineRef?.drain()
    } catch (err) {
      this.ctx.log('error', 'alerts: could not evaluate the last queued inputs at stop', { err: String(err) })
    }
    this.relay?.stop()
  }

  /** Off the ack path: the listener returns at once; the batch runs after the current I/O. */
  private schedule(): void {
    this.drainScheduled ??= setImmediate(() => {
      this.drainScheduled = undefined
      try {
        this.engineRef?.drain()
      } catch (err) {
        this.ctx.log('error', 'alerts: evaluation failed', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) })
      }
      this.arm()
    })
  }

  /** The one timer, at the engine's next due time. */
  private arm(): void {
    const e = this.engineRef
    if (!e) return
    if (this.timer) clearTimeout(this.timer)
    const now = this.ctx.clock.now()
    const due = e.nextDueAt(now)
    if (due === null) return void (this.timer = undefined)
    this.timer = setTimeout(() => {
      this.timer = undefined
      try {
        this.tick()
      } catch (err) {
        this.ctx.log('error', 'alerts: tick failed', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) })
        this.arm()
      }
    }, Math.min(MAX_DELAY_MS, Math.max(0, due - now)))
    this.timer.unref()
  }
}

function loadTeams(file: string): TeamsConfig {
  try {
    return loadTeamsConfig(file)
  } catch (e) {
    throw new ConfigError(`GW_ALERT_TEAMS_FILE: ${e instanceof Error ? e.message : String(e)}`)
  }
}
