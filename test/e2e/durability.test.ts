/**
 * Acknowledged means stored: a gateway process killed with SIGKILL right after PUBACKs
 * still has every acknowledged reading when it starts again.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import mqtt from 'mqtt'
import { afterAll, expect, it } from 'vitest'

const dataDir = mkdtempSync(join(tmpdir(), 'gw-kill-'))
const children: ChildProcess[] = []

/** Starts `npm start`'s entry point as a real process and resolves with its ports once it listens. */
function startGatewayProcess(): Promise<{ child: ChildProcess; mqttPort: number; httpPort: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/server.ts'], {
    env: { ...process.env, GW_DATA_DIR: dataDir, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_BIND: '127.0.0.1', GW_SYNC: 'full' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! })
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg: string; mqttPort?: number; httpPort?: number }
      if (entry.msg === 'gateway started') resolve({ child, mqttPort: entry.mqttPort!, httpPort: entry.httpPort! })
    })
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it started`)))
  })
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

it('every reading acknowledged at QoS 1 survives SIGKILL and a restart', async () => {
  const first = await startGatewayProcess()
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
  const api = (port: number, method: string, path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  const reg = (await (await api(first.httpPort, 'POST', '/api/v1/devices', { id: 'clamp-k', kind: 'meter' })).json()) as { secret: string }
  const unit = { model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 5, type: 'split' }
  await api(first.httpPort, 'POST', '/api/v1/jobs', { id: 'job-k', rulePack: 'split-ac', unit })
  await api(first.httpPort, 'POST', '/api/v1/jobs/job-k/devices', { deviceId: 'clamp-k', at: 1 })

  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.mqttPort}`, { username: 'clamp-k', password: reg.secret, reconnectPeriod: 0 })
  client.on('error', () => {}) // the kill ends the connection
  const t0 = Date.now() - 3_600_000
  const acked: number[] = []
  const total = 2000
  const killAfter = 1000
  await new Promise<void>((resolve) => {
    for (let i = 0; i < total; i++) {
      const ts = t0 + i
      client.publish('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: 1 + (i % 10) / 10 } }), { qos: 1 }, (err) => {
        if (err) return
        acked.push(ts)
        if (acked.length === killAfter) {
          first.child.kill('SIGKILL') // no chance to flush anything after the acks
          resolve()
        }
      })
    }
  })
  await new Promise((r) => first.child.once('exit', r))
  client.end(true)

  const second = await startGatewayProcess()
  const res = await api(second.httpPort, 'GET', `/api/v1/jobs/job-k/readings?channel=current_a&from=${t0}&to=${t0 + total}`)
  const { points } = (await res.json()) as { points: [number, number][] }
  const stored = new Set(points.map(([ts]) => ts))
  const lost = acked.filter((ts) => !stored.has(ts))
  expect(acked.length).toBeGreaterThanOrEqual(killAfter)
  expect(lost).toEqual([])
  second.child.kill('SIGTERM')
  await new Promise((r) => second.child.once('exit', r))
})
