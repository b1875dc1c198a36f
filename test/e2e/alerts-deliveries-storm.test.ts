/**
 * A storm held for a team's group survives crashes (issue 11: "deliveries to a team are
 * rate-limited and grouped" + "a restart loses none"). The gateway (a child process with a
 * manual clock) sends north the first 2 of 6 alerts one by one and holds 4 for the window's
 * group; SIGKILL inside the window. The restarted gateway still holds the 4 (table
 * delivery_groups), takes one more, and is killed again; the third start comes after the
 * window ended, and flushes the group at once: ONE grouped delivery with the full count (5)
 * and every held alert listed, and nothing else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, expect, it } from 'vitest'
import { startChild, type ChildGateway } from './alerts-deliveries-process.js'
import { T0, UNIT, waitUntil } from './alerts-deliveries-site.js'
import { SECRET, startReceiver, type Receiver } from './alerts-site.js'

const dir = mkdtempSync(join(tmpdir(), 'gw-deliv-storm-'))
const dataDir = join(dir, 'data')
const children: ChildGateway[] = []
let receiver: Receiver | undefined
afterAll(async () => {
  for (const g of children) await g.kill()
  await receiver?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Healthz { alerts: { heldForGroups: Record<string, number> } }
interface Group { type: string; data: { count: number; omitted: number; listed: { alertId: string; deviceId: string }[]; byFault: Record<string, number> } }
interface Single { type: string; data: { alert: { id: string; deviceId: string } } }

async function leak(g: ChildGateway, id: string, secret: string, ts: number): Promise<void> {
  const c: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${g.mqttPort}`, { username: id, password: secret, reconnectPeriod: 0 })
  await c.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts, values: { leakage_ma: 11 } }]), { qos: 1 })
  await c.endAsync()
}

const held = async (g: ChildGateway) => (await g.api<Healthz>('GET', '/healthz')).body.alerts.heldForGroups['north'] ?? 0

it('a storm held for the group, SIGKILL inside the window (twice): the group is delivered once, with the full count', async () => {
  receiver = await startReceiver(0)
  const teams = join(dir, 'teams.json')
  writeFileSync(teams, JSON.stringify({
    teams: [{ id: 'north', name: 'North', deliveries: [{ kind: 'webhook', url: `${receiver.url}/north`, secret: SECRET }], rateLimit: { windowS: 60, maxPerWindow: 2, maxListed: 50 } }],
    defaultTeam: 'north',
  }))
  const env = { GW_DATA_DIR: dataDir, GW_ALERT_TEAMS_FILE: teams }
  const first = await startChild(env, T0)
  children.push(first)
  const secrets: Record<string, string> = {}
  const units = ['s1', 's2', 's3', 's4', 's5', 's6', 's7']
  for (const id of units) {
    const r = await first.api<{ secret: string }>('POST', '/api/v1/devices', { id, kind: 'unit' })
    expect(r.status).toBe(201)
    secrets[id] = r.body.secret
    expect((await first.api('POST', `/api/v1/devices/${id}/in-service`, { pack: 'split-ac', unit: UNIT, since: T0 })).status).toBe(201)
  }
  // The storm: 6 units leak within the same minute (the window opens at T0 with the first).
  for (const id of units.slice(0, 6)) await leak(first, id, secrets[id]!, T0 + 1000)
  await waitUntil(async () => receiver!.accepted.length === 2 && (await held(first)) === 4, '2 sent one by one, 4 held')
  await first.kill()

  // Inside the window still: the 4 are held, one more joins them; killed again.
  const second = await startChild(env, T0 + 20_000)
  children.push(second)
  expect(await held(second)).toBe(4)
  await leak(second, 's7', secrets['s7']!, T0 + 21_000)
  await waitUntil(async () => (await held(second)) === 5, 'the 7th held too')
  expect(receiver.accepted).toHaveLength(2)
  await second.kill()

  // The window (T0 .. T0+60 s) ended while the gateway was down: the start flushes the group.
  const third = await startChild(env, T0 + 90_000)
  children.push(third)
  await waitUntil(() => receiver!.accepted.length === 3, 'the group')
  await third.setClock(T0 + 200_000) // later windows: nothing more
  await new Promise((r) => setTimeout(r, 300))
  expect(receiver.accepted).toHaveLength(3)
  expect(await held(third)).toBe(0)

  const singles = receiver.accepted.slice(0, 2).map((d) => d.body as unknown as Single)
  const group = receiver.accepted[2]!.body as unknown as Group
  expect(singles.map((s) => s.type)).toEqual(['alert.raised', 'alert.raised'])
  expect(group.type).toBe('alerts.grouped')
  expect(group.data).toMatchObject({ count: 5, omitted: 0, byFault: { leakage: 5 } })
  // Every alert once: 2 alone, 5 in the group.
  const devices = [...singles.map((s) => s.data.alert.deviceId), ...group.data.listed.map((e) => e.deviceId)].sort()
  expect(devices).toEqual(units)
  expect(new Set(receiver.accepted.map((d) => d.id)).size).toBe(3)
  expect(receiver.accepted.every((d) => d.signatureOk)).toBe(true)
})
