/** Starts a real gateway (broker over TCP, HTTP, SQLite in a temp dir) for a test, and tears it down. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Clock } from '../../gateway/clock.js'
import { loadConfig } from '../../gateway/config.js'
import { Gateway } from '../../gateway/gateway.js'

export interface Harness {
  gateway: Gateway
  dataDir: string
  mqttUrl: string
  httpUrl: string
  token: string
  /** Admin API call; returns status and parsed JSON body. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
  /** Registers a device and returns its secret. */
  register(id: string, kind?: 'meter' | 'unit' | 'bridge' | 'service', bridgeFor?: string[], team?: string): Promise<string>
  /** An mqtt.js client connected with the device's credentials. */
  connect(id: string, secret: string, opts?: IClientOptions): Promise<MqttClient>
  close(): Promise<void>
}

export async function startHarness(opts: { clock?: Clock; env?: Record<string, string>; dataDir?: string } = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gw-test-'))
  const config = loadConfig({
    GW_MQTT_PORT: '0',
    GW_HTTP_PORT: '0',
    GW_BIND: '127.0.0.1',
    GW_DATA_DIR: dataDir,
    GW_LOG_LEVEL: 'silent',
    GW_SYNC: 'normal',
    ...opts.env,
  })
  const gateway = new Gateway(config, opts.clock ? { clock: opts.clock } : {})
  await gateway.start()
  const mqttUrl = `mqtt://127.0.0.1:${gateway.mqttPort}`
  const httpUrl = `http://127.0.0.1:${gateway.httpPort}`
  const token = gateway.adminToken
  const clients: MqttClient[] = []

  const api: Harness['api'] = async (method, path, body) => {
    const res = await fetch(httpUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never }
  }

  return {
    gateway,
    dataDir,
    mqttUrl,
    httpUrl,
    token,
    api,
    async register(id, kind = 'meter', bridgeFor, team) {
      const res = await api<{ secret: string }>('POST', '/api/v1/devices', { id, kind, ...(bridgeFor ? { bridgeFor } : {}), ...(team ? { team } : {}) })
      if (res.status !== 201) throw new Error(`register ${id}: ${res.status} ${JSON.stringify(res.body)}`)
      return res.body.secret
    },
    async connect(id, secret, extra = {}) {
      const client = await mqtt.connectAsync(mqttUrl, { username: id, password: secret, reconnectPeriod: 0, ...extra })
      clients.push(client)
      return client
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)))
      await gateway.stop()
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Waits for `predicate` to become true, polling without sleeping longer than needed. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
