/**
 * Plays an in-service scenario against a running gateway: registers the unit (and its
 * bridge), puts it in service (creates a commissioning job, attaches the unit, plays the
 * commissioning readings, closes the job at the start time; or registers it in service),
 * then walks the events at QoS 1 (each resolves on its PUBACK). A run can stop at a device
 * time and go on later with fresh connections, so a test can restart the gateway in the
 * middle of a scenario on the same data dir.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { MQTT_API } from '../contract/mqtt-api.js'
import { DeviceConnection } from './device-connection.js'
import { createAdminClient, HttpError, type AdminClient, type DeviceCredentials } from './http-client.js'
import { BRIDGE_CONNECT_TOPIC, BRIDGE_DISCONNECT_TOPIC, type InServiceEvent, type InServiceScenario } from './in-service-scenario.js'
import { mulberry32 } from './prng.js'
import { IN_SERVICE_SCENARIOS } from './scenarios/in-service.js'

export interface InServiceRunOptions {
  mqttUrl: string
  httpUrl: string
  adminToken: string
  scenario: string | InServiceScenario
  /** Default `sim-<scenario>-<base36 time>`; the bridge is `<unitId>-bridge`. */
  unitId?: string
  installerId?: string
  /** Device time the unit enters service; default: the scenario ends now (everything lies in the past). */
  startTs?: number
  seed?: number
  /** Device ms per real ms; 0 (default) = as fast as the gateway acknowledges. */
  timeScale?: number
  /** Awaited before the setup calls (with their device time) and before each event. */
  beforeEvent?: (deviceTs: number) => void | Promise<void>
  log?: (line: string) => void
  /** The HTTP client's fetch (default: the global one). */
  fetch?: typeof fetch
}

const PACK = 'split-ac'
const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,55}$/
/** The commissioning job is opened, and the unit attached, this long before it enters service. */
const COMMISSIONING_MS = 3_600_000
/** Real ms waited after a dropped connection (loopback closes arrive in well under 1 ms). */
const DROP_SETTLE_MS = 200

export function getInServiceScenario(name: string): InServiceScenario {
  const s = IN_SERVICE_SCENARIOS.get(name)
  if (!s) throw new Error(`unknown in-service scenario "${name}"; known: ${[...IN_SERVICE_SCENARIOS.keys()].join(', ')}`)
  return s
}

export class InServiceRun {
  /** Acknowledged publishes so far (telemetry, attributes, bridge connect/disconnect). */
  published = 0
  private next = 0
  private conn: DeviceConnection | undefined
  /** The device's link as the script left it: a dropped unit publishes nothing until it reconnects. */
  private dropped = false

  private constructor(
    readonly scenario: InServiceScenario,
    readonly unitId: string,
    readonly startTs: number,
    readonly events: readonly InServiceEvent[],
    private opts: InServiceRunOptions,
    private api: AdminClient,
    private readonly creds: DeviceCredentials,
  ) {}

  /** The device that holds the MQTT connection: the unit itself, or its bridge. */
  get connectedAs(): string {
    return this.creds.id
  }

  get done(): boolean {
    return this.next >= this.events.length
  }

  /** Registers the devices and puts the unit in service; plays the scenario's commissioning readings on the way. */
  static async prepare(opts: InServiceRunOptions): Promise<InServiceRun> {
    const scenario = typeof opts.scenario === 'string' ? getInServiceScenario(opts.scenario) : opts.scenario
    const log = opts.log ?? (() => undefined)
    const unitId = opts.unitId ?? `sim-${scenario.name}-${Date.now().toString(36)}`
    if (!UNIT_ID.test(unitId)) throw new Error(`unit id "${unitId}" must be 1-56 characters of A-Z a-z 0-9 . _ - starting with a letter or digit`)
    const startTs = opts.startTs ?? Date.now() - scenario.durationMs
    const script = scenario.script({ startTs, rng: mulberry32(opts.seed ?? 1) })
    validate(scenario, script.events, script.commissioning, startTs)
    const api = createAdminClient({ baseUrl: opts.httpUrl, token: opts.adminToken, ...(opts.fetch ? { fetch: opts.fetch } : {}) })
    const pack = scenario.rulePack ?? PACK

    await opts.beforeEvent?.(startTs - COMMISSIONING_MS)
    const register = async (d: { id: string; kind: 'unit' | 'bridge'; model?: string; bridgeFor?: string[] }) => {
      try {
        return await api.registerDevice(d)
      } catch (err) {
        if (err instanceof HttpError && err.status === 409) throw new Error(`device "${d.id}" is already registered (its secret is shown only once): use another unit id`)
        throw err
      }
    }
    const unitCreds = await register({ id: unitId, kind: 'unit', model: scenario.unit.model })
    const creds = scenario.via === 'bridge' ? await register({ id: `${unitId}-bridge`, kind: 'bridge', model: 'SIM MB-2 Modbus bridge', bridgeFor: [unitId] }) : unitCreds
    log(`registered unit ${unitId}${scenario.via === 'bridge' ? ` behind bridge ${creds.id}` : ''}`)

    const run = new InServiceRun(scenario, unitId, startTs, script.events, opts, api, creds)
    if (scenario.entry === 'job-close') {
      const jobId = `${unitId}-job`
      await api.createJob({ id: jobId, ...(opts.installerId ? { installerId: opts.installerId } : {}), rulePack: pack, unit: scenario.unit })
      await api.attachDevice(jobId, unitId, startTs - COMMISSIONING_MS)
      for (const e of script.commissioning) await run.playOne(e)
      await opts.beforeEvent?.(startTs)
      await api.closeJob(jobId, startTs)
      log(`job ${jobId} closed at ${new Date(startTs).toISOString()}: ${unitId} in service (${pack})`)
    } else {
      await opts.beforeEvent?.(startTs)
      await api.registerInService(unitId, { pack, unit: scenario.unit, ...(opts.installerId ? { installerId: opts.installerId } : {}), since: startTs })
      log(`${unitId} registered in service since ${new Date(startTs).toISOString()} (${pack})`)
    }
    return run
  }

  /** Plays the events up to device time `untilTs` (default: all); a later call goes on from there. */
  async play(untilTs = Infinity): Promise<void> {
    const timeScale = this.opts.timeScale ?? 0
    const realStart = performance.now()
    const first = this.events[this.next]?.at ?? this.startTs
    while (this.next < this.events.length && this.events[this.next]!.at <= untilTs) {
      const e = this.events[this.next]!
      if (timeScale > 0) {
        const wait = realStart + (e.at - first) / timeScale - performance.now()
        if (wait > 0) await sleep(wait)
      }
      await this.playOne(e)
      this.next++
    }
  }

  /** Disconnects cleanly (DISCONNECT: no last will), e.g. before the gateway is stopped; the next publish connects again. */
  async disconnect(): Promise<void> {
    const c = this.conn
    this.conn = undefined
    await c?.close()
  }

  /** The gateway came back on other ports (a restart in a test): disconnects, and goes on there. */
  async moveTo(urls: { mqttUrl: string; httpUrl: string; adminToken?: string }): Promise<void> {
    await this.disconnect()
    this.opts = { ...this.opts, ...urls }
    this.api = createAdminClient({ baseUrl: urls.httpUrl, token: this.opts.adminToken, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}) })
  }

  /** Every alert the gateway has for the unit. */
  alerts() {
    return this.api.alertsOf(this.unitId)
  }

  private async connection(): Promise<DeviceConnection> {
    if (this.dropped) throw new Error(`${this.unitId}: the script publishes while the unit's connection is dropped (add a reconnect event)`)
    this.conn ??= await DeviceConnection.connect(this.opts.mqttUrl, this.creds, { onGatewayError: (id, m) => this.opts.log?.(`gateway → ${id}: ${m}`) })
    return this.conn
  }

  private async playOne(e: InServiceEvent): Promise<void> {
    await this.opts.beforeEvent?.(e.at)
    const bridged = this.scenario.via === 'bridge'
    const id = this.unitId
    switch (e.kind) {
      case 'quiet':
        return
      case 'drop': {
        const c = await this.connection()
        await c.drop()
        this.conn = undefined
        this.dropped = true
        // The broker learns of a dead connection from the socket closing on its side, not from
        // us: give it a moment of real time before the clock moves on (a test's manual clock).
        await sleep(DROP_SETTLE_MS)
        this.opts.log?.(`${id}: connection dropped without DISCONNECT`)
        return
      }
      case 'reconnect':
        this.dropped = false
        await this.connection()
        return
      case 'bridge-disconnect':
      case 'bridge-connect': {
        if (!bridged) throw new Error(`${this.scenario.name}: ${e.kind} needs a unit behind a bridge (via: 'bridge')`)
        const topic = e.kind === 'bridge-connect' ? BRIDGE_CONNECT_TOPIC : BRIDGE_DISCONNECT_TOPIC
        await (await this.connection()).publishTo(topic, JSON.stringify({ device: id }))
        break
      }
      case 'telemetry': {
        const sample = { ts: e.at, values: e.values }
        const c = await this.connection()
        if (bridged) await c.publishTo(MQTT_API.gatewayTelemetry.topic, JSON.stringify({ [id]: [sample] }))
        else await c.publishTelemetry(JSON.stringify(sample))
        break
      }
      case 'error-codes': {
        const attributes = { errorCodes: e.codes }
        const c = await this.connection()
        if (bridged) await c.publishTo(MQTT_API.gatewayAttributes.topic, JSON.stringify({ [id]: attributes }))
        else await c.publishAttributes(JSON.stringify(attributes))
        break
      }
    }
    this.published++
  }

  async close(): Promise<void> {
    await this.disconnect()
  }
}

function validate(s: InServiceScenario, events: readonly InServiceEvent[], commissioning: readonly InServiceEvent[], startTs: number): void {
  const end = startTs + s.durationMs
  let previous = -Infinity
  for (const e of events) {
    if (!Number.isInteger(e.at) || e.at < startTs || e.at > end) throw new Error(`scenario ${s.name}: ${e.kind} at ${e.at} is outside ${startTs}..${end}`)
    if (e.at < previous) throw new Error(`scenario ${s.name}: events are not in device-time order at ${e.at}`)
    previous = e.at
  }
  for (const e of commissioning) {
    if (e.kind !== 'telemetry') throw new Error(`scenario ${s.name}: only telemetry may come before the unit enters service, got ${e.kind}`)
    if (e.at >= startTs || e.at < startTs - COMMISSIONING_MS) throw new Error(`scenario ${s.name}: commissioning reading at ${e.at} must lie in the hour before ${startTs}`)
  }
  if (s.entry === 'register' && commissioning.length > 0) throw new Error(`scenario ${s.name}: a unit registered in service has no commissioning readings`)
}

/** Plays a whole in-service scenario and returns the run (its unit id, what was published). */
export async function runInService(opts: InServiceRunOptions): Promise<InServiceRun> {
  const run = await InServiceRun.prepare(opts)
  try {
    await run.play()
    opts.log?.(`published ${run.published} messages`)
  } finally {
    await run.close()
  }
  return run
}
