/**
 * Plays a scenario against a running gateway: registers the devices, creates the job and
 * attaches them, connects one MQTT client per device with its own credentials, then walks
 * the timeline (telemetry and attributes at QoS 1, step markers over HTTP with their device
 * time and facts, installation-record declarations over HTTP when they are made).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { DeviceConnection } from './device-connection.js'
import { createAdminClient, HttpError, type DeviceCredentials } from './http-client.js'
import { mulberry32 } from './prng.js'
import { scenarioDurationMs, type DeviceRole, type TimelineEvent } from './scenario.js'
import { getScenario } from './scenarios/index.js'
import { MALFORMED } from './scenarios/malformed-messages.js'
import { buildTimeline } from './timeline.js'

export interface RunOptions {
  mqttUrl: string
  httpUrl: string
  adminToken: string
  scenario: string
  /** Default `sim-<scenario>-<base36 time>`; device ids are `${jobId}-${role}`. */
  jobId?: string
  /** The installer the job is recorded against (the gateway's verdicts carry it). */
  installerId?: string
  /** Device ms per real ms; 0 (default) = as fast as the gateway acknowledges. */
  timeScale?: number
  /** Device time the unit is switched on; see defaultStartTs. */
  startTs?: number
  /** PRNG seed for the readings' noise; default 1. */
  seed?: number
  /** Awaited before the setup calls (with startTs) and before each event (with its device time). */
  beforeEvent?: (deviceTs: number) => void | Promise<void>
  log?: (line: string) => void
}

export interface RunResult {
  jobId: string
  published: number
  deviceIds: string[]
}

const RULE_PACK = 'split-ac'
// Device ids are `${jobId}-${role}` and the gateway allows 64 characters; "-manifold" is 9.
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,54}$/

/**
 * The earliest device time the run may start at without any device timestamp getting ahead
 * of the wall clock: the last event lands "now" when the run ends. timeScale 0 plays
 * instantly, so the whole run lies in the past (a unit flushing buffered data); timeScale 1
 * starts now and every reading is live; in between, the readings lag by less and less.
 */
export function defaultStartTs(now: number, durationMs: number, timeScale: number): number {
  const lagFraction = timeScale === 0 ? 1 : Math.max(0, 1 - 1 / timeScale)
  return Math.floor(now - durationMs * lagFraction)
}

export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const scenario = getScenario(opts.scenario)
  const log = opts.log ?? (() => undefined)
  const timeScale = opts.timeScale ?? 0
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new Error(`timeScale must be a number >= 0, got ${timeScale}`)
  const jobId = opts.jobId ?? `sim-${scenario.name}-${Date.now().toString(36)}`
  if (!JOB_ID.test(jobId)) {
    throw new Error(`job id "${jobId}" must be 1-55 characters of A-Z a-z 0-9 . _ - starting with a letter or digit`)
  }
  const startTs = opts.startTs ?? defaultStartTs(Date.now(), scenarioDurationMs(scenario), timeScale)
  const timeline = buildTimeline(scenario, startTs, mulberry32(opts.seed ?? 1))
  const api = createAdminClient({ baseUrl: opts.httpUrl, token: opts.adminToken })
  const rel = stepClock(timeline)

  await opts.beforeEvent?.(startTs)
  const credentials = new Map<DeviceRole, DeviceCredentials>()
  for (const device of scenario.devices) {
    const id = `${jobId}-${device.role}`
    try {
      credentials.set(device.role, await api.registerDevice({ id, kind: device.kind, model: device.model }))
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) {
        throw new Error(`device "${id}" is already registered (its secret is shown only once): use another job id`)
      }
      throw err
    }
    log(`registered ${device.kind} ${id} (${device.model})`)
  }
  const rulePack = scenario.rulePack ?? RULE_PACK
  await api.createJob({ id: jobId, ...(opts.installerId ? { installerId: opts.installerId } : {}), rulePack, unit: scenario.unit })
  log(`created job ${jobId} (${rulePack}, ${scenario.unit.model}, ${scenario.unit.refrigerant}, rated ${scenario.unit.ratedCurrentA} A)`)
  for (const [role, creds] of credentials) await api.attachDevice(jobId, creds.id, startTs, scenario.devices.find((d) => d.role === role)?.roles)

  const connections = new Map<DeviceRole, DeviceConnection>()
  let published = 0
  try {
    for (const [role, creds] of credentials) {
      const conn = await DeviceConnection.connect(opts.mqttUrl, creds, {
        onGatewayError: (id, message) => log(`gateway → ${id}: ${message}`),
      })
      connections.set(role, conn)
    }
    log(`connected ${connections.size} devices to ${opts.mqttUrl}; playing ${timeline.length} events (time scale ${timeScale || 'max'})`)

    const pace = pacer(timeScale, startTs)
    for (const event of timeline) {
      await pace(event.at)
      await opts.beforeEvent?.(event.at)
      if (event.kind === 'marker') {
        await api.stepMarker(jobId, event.step, event.action, event.at, event.facts)
        log(`${rel(event.at)} ${event.step} ${event.action}${event.facts ? ` ${JSON.stringify(event.facts)}` : ''}`)
        continue
      }
      if (event.kind === 'step-event') {
        await api.stepMarker(jobId, event.step, event.action, event.at)
        log(`${rel(event.at)} ${event.step} ${event.action}`)
        continue
      }
      if (event.kind === 'confirm') {
        await api.confirmWorkOrder(jobId)
        log(`${rel(event.at)} work order confirmed`)
        continue
      }
      if (event.kind === 'record') {
        await api.declareRecord(jobId, event.fields)
        log(`${rel(event.at)} record: ${Object.keys(event.fields).join(', ')}`)
        continue
      }
      const conn = connections.get(event.deviceRole)
      if (!conn) throw new Error(`no connection for device role ${event.deviceRole}`)
      if (event.kind === 'attributes') {
        await conn.publishAttributes(event.payload)
        log(`${rel(event.at)} ${conn.deviceId} attributes ${event.payload}`)
      } else {
        await conn.publishTelemetry(event.payload)
        if (event.garbage) log(`${rel(event.at)} ${conn.deviceId} sent malformed (${event.garbage}: ${MALFORMED[event.garbage].why})`)
      }
      published++
    }
    log(`published ${published} messages`)
  } finally {
    await Promise.allSettled([...connections.values()].map((c) => c.close()))
  }
  return { jobId, published, deviceIds: [...credentials.values()].map((c) => c.id) }
}

/** Waits until device time `ts` is due: real ms = device ms / timeScale from the first event. */
function pacer(timeScale: number, startTs: number): (ts: number) => Promise<void> {
  if (timeScale === 0) return async () => undefined
  const realStart = performance.now()
  return async (ts) => {
    // Anchored to the start, so waits do not accumulate the publishes' own latency.
    const wait = realStart + (ts - startTs) / timeScale - performance.now()
    if (wait > 0) await sleep(wait)
  }
}

/**
 * Labels device times for the log relative to the step under way: "t+31:00" is 31 minutes
 * after the latest start marker; before the first one, the time to it ("t-01:30").
 */
function stepClock(timeline: readonly TimelineEvent[]): (ts: number) => string {
  const starts = timeline.filter((e) => e.kind === 'marker' && e.action === 'start').map((e) => e.at)
  return (ts) => {
    const origin = starts.filter((s) => s <= ts).at(-1) ?? starts[0] ?? ts
    return `t${ts < origin ? '-' : '+'}${clock(Math.abs(ts - origin))}`
  }
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000)
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
}
