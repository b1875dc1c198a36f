/**
 * runScenario against a real in-process aedes broker (port 0) and a stand-in for the
 * gateway's admin API that records every call: checks what the sim sends, not the rules.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net'
import { once } from 'node:events'
import { Aedes, type AuthenticateError } from 'aedes'
import { afterEach, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { HttpError } from '../../firmware-sim/http-client.js'
import { mulberry32 } from '../../firmware-sim/prng.js'
import { defaultStartTs, runScenario } from '../../firmware-sim/run.js'
import { PRE_ROLL_MS, scenarioDurationMs, type PublishEvent } from '../../firmware-sim/scenario.js'
import { getScenario } from '../../firmware-sim/scenarios/index.js'
import { buildTimeline } from '../../firmware-sim/timeline.js'

const TOKEN = 'admin-token-for-tests'

interface Call {
  method: string
  path: string
  body: unknown
}

interface Received {
  clientId: string
  topic: string
  qos: number
  payload: string
}

interface FakeOptions {
  /** Hand out secrets the broker will not accept. */
  wrongSecrets?: boolean
  /** Answer POST /jobs with this error. */
  jobError?: { status: number; body: unknown }
}

class FakeGateway {
  readonly calls: Call[] = []
  readonly received: Received[] = []
  private readonly secrets = new Map<string, string>()
  private constructor(
    readonly broker: Aedes,
    private readonly mqttServer: NetServer,
    private readonly httpServer: HttpServer,
    private readonly opts: FakeOptions,
  ) {}

  static async start(opts: FakeOptions = {}): Promise<FakeGateway> {
    const broker = await Aedes.createBroker()
    const mqttServer = createNetServer(broker.handle)
    let gw: FakeGateway | undefined
    const httpServer = createHttpServer((req, res) => {
      void gw!.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      })
    })
    gw = new FakeGateway(broker, mqttServer, httpServer, opts)
    broker.authenticate = (client, username, password, done) => {
      const ok = username !== undefined && client.id === username && gw.secrets.get(username) === password?.toString()
      if (ok) return done(null, true)
      const err: AuthenticateError = Object.assign(new Error('bad username or password'), { returnCode: 4 as const })
      done(err, null)
    }
    broker.on('publish', (packet, client) => {
      if (client) gw.received.push({ clientId: client.id, topic: packet.topic, qos: packet.qos, payload: packet.payload.toString() })
    })
    mqttServer.listen(0, '127.0.0.1')
    httpServer.listen(0, '127.0.0.1')
    await Promise.all([once(mqttServer, 'listening'), once(httpServer, 'listening')])
    return gw
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${(this.mqttServer.address() as AddressInfo).port}`
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString()
    const body: unknown = text ? JSON.parse(text) : undefined
    const path = req.url ?? ''
    const method = req.method ?? ''
    this.calls.push({ method, path, body })
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return error(401, 'GW_ERR_UNAUTHORIZED', 'bad token')
    if (method === 'POST' && path === '/api/v1/devices') {
      const id = (body as { id: string }).id
      if (this.secrets.has(id)) return error(409, 'GW_ERR_CONFLICT', `device "${id}" is already registered`)
      this.secrets.set(id, `secret-of-${id}`)
      return { status: 201, body: { id, secret: this.opts.wrongSecrets ? 'wrong' : `secret-of-${id}` } }
    }
    if (method === 'POST' && path === '/api/v1/jobs') return this.opts.jobError ?? { status: 201, body: body }
    if (method === 'POST' && /^\/api\/v1\/jobs\/[^/]+\/(devices|steps\/[a-z_]+\/(start|stop|isolate))$/.test(path)) return { status: 201, body: {} }
    if (method === 'PATCH' && /^\/api\/v1\/jobs\/[^/]+\/record$/.test(path)) return { status: 200, body }
    if (method === 'GET' && path.endsWith('/verdict')) return { status: 200, body: { status: 'pass', steps: [] } }
    return error(404, 'GW_ERR_NOT_FOUND', `${method} ${path}`)
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.broker.close(() => resolve()))
    await Promise.all([
      new Promise((resolve) => this.mqttServer.close(resolve)),
      new Promise((resolve) => this.httpServer.close(resolve)),
    ])
  }
}

function error(status: number, code: string, message: string) {
  return { status, body: { error: { code, message } } }
}

async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

let gw: FakeGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
})

const START = Date.UTC(2025, 5, 1, 6, 0, 0)

describe('runScenario', () => {
  it('registers, creates, attaches, then plays the whole timeline with each device’s own credentials', async () => {
    gw = await FakeGateway.start()
    const clock: number[] = []
    const lines: string[] = []
    const result = await runScenario({
      mqttUrl: gw.mqttUrl,
      httpUrl: gw.httpUrl,
      adminToken: TOKEN,
      scenario: 'garbage',
      jobId: 'job-1',
      startTs: START,
      beforeEvent: (ts) => void clock.push(ts),
      log: (l) => void lines.push(l),
    })
    const timeline = buildTimeline(getScenario('garbage'), START, mulberry32(1))
    const publishes = timeline.filter((e): e is PublishEvent => e.kind === 'publish')

    expect(result).toEqual({ jobId: 'job-1', published: publishes.length, deviceIds: ['job-1-unit', 'job-1-clamp', 'job-1-manifold'] })
    expect(gw.calls.slice(0, 7)).toEqual([
      { method: 'POST', path: '/api/v1/devices', body: { id: 'job-1-unit', kind: 'unit', model: 'KFR-35GW/SIM32' } },
      { method: 'POST', path: '/api/v1/devices', body: { id: 'job-1-clamp', kind: 'meter', model: 'SIM CM-2 clamp meter' } },
      { method: 'POST', path: '/api/v1/devices', body: { id: 'job-1-manifold', kind: 'meter', model: 'SIM DM-4 digital manifold' } },
      { method: 'POST', path: '/api/v1/jobs', body: { id: 'job-1', rulePack: 'split-ac', unit: getScenario('garbage').unit } },
      { method: 'POST', path: '/api/v1/jobs/job-1/devices', body: { deviceId: 'job-1-unit', at: START } },
      { method: 'POST', path: '/api/v1/jobs/job-1/devices', body: { deviceId: 'job-1-clamp', at: START } },
      { method: 'POST', path: '/api/v1/jobs/job-1/devices', body: { deviceId: 'job-1-manifold', at: START } },
    ])
    const stopAt = START + PRE_ROLL_MS + 31 * 60_000
    expect(gw.calls.slice(7)).toEqual([
      { method: 'POST', path: '/api/v1/jobs/job-1/steps/test_run/start', body: { at: START + PRE_ROLL_MS } },
      { method: 'POST', path: '/api/v1/jobs/job-1/steps/test_run/stop', body: { at: stopAt } },
    ])

    // Every publish arrived, in order, at QoS 1, on the device topic, from its own client.
    const telemetry = gw.received.filter((r) => r.topic === TOPICS.telemetry)
    expect(telemetry).toEqual(
      publishes.map((p) => ({ clientId: `job-1-${p.deviceRole}`, topic: TOPICS.telemetry, qos: 1, payload: p.payload })),
    )
    expect(clock[0]).toBe(START)
    expect(clock.slice(1)).toEqual(timeline.map((e) => e.at))
    expect(lines).toContain('t+31:00 test_run stop')
    expect(lines.filter((l) => l.includes('sent malformed'))).toHaveLength(7)
    await until(() => gw!.broker.connectedClients === 0)
  })

  it('plays a whole commissioning: five devices, markers with their facts, attributes, the record as it is declared', async () => {
    gw = await FakeGateway.start()
    const lines: string[] = []
    const result = await runScenario({
      mqttUrl: gw.mqttUrl,
      httpUrl: gw.httpUrl,
      adminToken: TOKEN,
      scenario: 'commissioning',
      jobId: 'job-c',
      startTs: START,
      log: (l) => void lines.push(l),
    })
    const scenario = getScenario('commissioning')
    const timeline = buildTimeline(scenario, START, mulberry32(1))
    const roles = ['unit', 'clamp', 'manifold', 'probe', 'tester']
    expect(result.deviceIds).toEqual(roles.map((r) => `job-c-${r}`))
    expect(gw.calls.filter((c) => c.path === '/api/v1/devices').map((c) => c.body)).toEqual(
      scenario.devices.map((d) => ({ id: `job-c-${d.role}`, kind: d.kind, model: d.model })),
    )

    // Markers and record declarations go over HTTP in timeline order, with their device times and facts.
    const http = gw.calls.filter((c) => /\/(steps\/|record$)/.test(c.path))
    const expected = timeline.flatMap((e): Call[] => {
      if (e.kind === 'marker') {
        return [{ method: 'POST', path: `/api/v1/jobs/job-c/steps/${e.step}/${e.action}`, body: { at: e.at, ...(e.facts ? { facts: e.facts } : {}) } }]
      }
      if (e.kind === 'step-event') return [{ method: 'POST', path: `/api/v1/jobs/job-c/steps/${e.step}/${e.action}`, body: { at: e.at } }]
      if (e.kind === 'record') return [{ method: 'PATCH', path: '/api/v1/jobs/job-c/record', body: e.fields }]
      return []
    })
    expect(http).toEqual(expected)
    expect(http.filter((c) => c.method === 'PATCH')).toHaveLength(6)
    expect(http.find((c) => c.path.endsWith('/tightness/start'))?.body).toMatchObject({ facts: { gas: 'nitrogen' } })

    // Every device declares itself once, on the attributes topic, from its own client.
    const attrs = gw.received.filter((r) => r.topic === TOPICS.attributes)
    expect(attrs.map((a) => a.clientId).sort()).toEqual(roles.map((r) => `job-c-${r}`).sort())
    for (const a of attrs) expect(a.qos).toBe(1)
    const telemetry = gw.received.filter((r) => r.topic === TOPICS.telemetry)
    const publishes = timeline.filter((e): e is PublishEvent => e.kind === 'publish')
    expect(telemetry).toEqual(publishes.map((p) => ({ clientId: `job-c-${p.deviceRole}`, topic: TOPICS.telemetry, qos: 1, payload: p.payload })))
    expect(result.published).toBe(publishes.length + attrs.length)

    // The log reads each step's time from its own start marker.
    expect(lines).toContain('t+00:00 tightness start {"gas":"nitrogen"}')
    expect(lines).toContain('t+31:00 test_run stop')
    expect(lines.some((l) => /^t\+\d\d:\d\d record: customerSignature$/.test(l))).toBe(true)
    await until(() => gw!.broker.connectedClients === 0)
  })

  it('starts in the past by default, so no device timestamp is ahead of the clock', async () => {
    gw = await FakeGateway.start()
    const before = Date.now()
    await runScenario({ mqttUrl: gw.mqttUrl, httpUrl: gw.httpUrl, adminToken: TOKEN, scenario: 'short-run', jobId: 'job-2' })
    const after = Date.now()
    const stamps = gw.received
      .filter((r) => r.topic === TOPICS.telemetry)
      .flatMap((r) => {
        const json = JSON.parse(r.payload) as { ts: number } | { ts: number }[]
        return Array.isArray(json) ? json.map((s) => s.ts) : [json.ts]
      })
    const duration = scenarioDurationMs(getScenario('short-run'))
    expect(Math.max(...stamps)).toBeLessThanOrEqual(after)
    expect(Math.min(...stamps)).toBeGreaterThanOrEqual(before - duration)
  })

  it('paces by timeScale: device ms / timeScale of real time', async () => {
    gw = await FakeGateway.start()
    const duration = scenarioDurationMs(getScenario('short-run'))
    const t0 = performance.now()
    await runScenario({ mqttUrl: gw.mqttUrl, httpUrl: gw.httpUrl, adminToken: TOKEN, scenario: 'short-run', jobId: 'job-3', timeScale: duration / 300 })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290)
  })

  it('refuses a job id whose device ids the gateway would refuse, before any call', async () => {
    gw = await FakeGateway.start()
    const opts = { mqttUrl: gw.mqttUrl, httpUrl: gw.httpUrl, adminToken: TOKEN, scenario: 'good' }
    await expect(runScenario({ ...opts, jobId: 'a/b' })).rejects.toThrow(/job id "a\/b" must be/)
    await expect(runScenario({ ...opts, jobId: 'x'.repeat(56) })).rejects.toThrow(/must be 1-55 characters/)
    await expect(runScenario({ ...opts, scenario: 'nope' })).rejects.toThrow(/unknown scenario "nope"; known scenarios: good/)
    expect(gw.calls).toEqual([])
  })

  it('says when a device id is taken', async () => {
    gw = await FakeGateway.start()
    const opts = { mqttUrl: gw.mqttUrl, httpUrl: gw.httpUrl, adminToken: TOKEN, scenario: 'short-run', jobId: 'job-4' }
    await runScenario(opts)
    await expect(runScenario(opts)).rejects.toThrow('device "job-4-unit" is already registered (its secret is shown only once): use another job id')
  })

  it('surfaces the gateway’s error status and body', async () => {
    gw = await FakeGateway.start({ jobError: error(400, 'GW_ERR_VALIDATION', 'body.unit.phases: invalid') })
    const err: unknown = await runScenario({ mqttUrl: gw.mqttUrl, httpUrl: gw.httpUrl, adminToken: TOKEN, scenario: 'good', jobId: 'job-5' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    const httpErr = err as HttpError
    expect(httpErr.status).toBe(400)
    expect(httpErr.code).toBe('GW_ERR_VALIDATION')
    expect(httpErr.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/jobs → HTTP 400: .*body\.unit\.phases: invalid/)
  })

  it('fails clearly on refused credentials and leaves no connection open', async () => {
    gw = await FakeGateway.start({ wrongSecrets: true })
    await expect(
      runScenario({ mqttUrl: gw.mqttUrl, httpUrl: gw.httpUrl, adminToken: TOKEN, scenario: 'good', jobId: 'job-6' }),
    ).rejects.toThrow(/device job-6-unit: MQTT connect to mqtt:\/\/127\.0\.0\.1:\d+ failed: .*Bad username or password/)
    await until(() => gw!.broker.connectedClients === 0)
  })

  it('fails clearly when the gateway is not there', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createNetServer().listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const url = `http://127.0.0.1:${port}`
    await expect(
      runScenario({ mqttUrl: `mqtt://127.0.0.1:${port}`, httpUrl: url, adminToken: TOKEN, scenario: 'good' }),
    ).rejects.toThrow(`POST ${url}/api/v1/devices failed: fetch failed: connect ECONNREFUSED`)
  })
})

describe('defaultStartTs', () => {
  const now = 1_000_000_000
  it('puts the whole run in the past at time scale 0 and starts now at real time', () => {
    expect(defaultStartTs(now, 60_000, 0)).toBe(now - 60_000)
    expect(defaultStartTs(now, 60_000, 1)).toBe(now)
    expect(defaultStartTs(now, 60_000, 0.5)).toBe(now)
    // At 60x the last event (device now - 1 s + 60 s) is sent 1 s from now.
    expect(defaultStartTs(now, 60_000, 60)).toBe(now - 59_000)
  })
})
