/**
 * A crash between an alert's commit and its deliveries loses none and sends none twice
 * (issue 11, "Routing": a restart loses none). The gateway is a real child process with a
 * manual clock (alerts-deliveries-child.ts); it SIGKILLs itself the moment the alerts module
 * tells the bus about the second alert change, i.e. after that change's commit and before any
 * listener queued a delivery for it. After a restart on the same data dir, every change in the
 * audit trail reaches the webhook receiver under exactly one webhook-id, and the team's MQTT
 * events topic exactly once; the SSE stream resumed with the last id seen before the crash (an
 * audit seq) gives exactly the changes after it.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, expect, it } from 'vitest'
import { startChild, type ChildGateway } from './alerts-deliveries-process.js'
import { readSse, T0, UNIT, waitUntil } from './alerts-deliveries-site.js'
import { SECRET, startReceiver, type Receiver } from './alerts-site.js'

const dir = mkdtempSync(join(tmpdir(), 'gw-deliv-crash-'))
const dataDir = join(dir, 'data')
const children: ChildGateway[] = []
const clients: MqttClient[] = []
let receiver: Receiver | undefined
afterAll(async () => {
  for (const c of clients) await c.endAsync(true)
  for (const g of children) await g.kill()
  await receiver?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Body { type: string; data: { team: string; alert: { id: string } | null; entry: { seq: number; action: string } } }

/** Every audit entry committed, as seq → alert id (read from the data dir, not from the gateway). */
function auditTrail(): Map<number, string> {
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true })
  try {
    const out = new Map<number, string>()
    for (const r of db.prepare('SELECT seq, alert_id FROM alert_audit ORDER BY seq').all() as { seq: number; alert_id: string }[]) out.set(r.seq, r.alert_id)
    return out
  } finally {
    db.close()
  }
}

async function eventsOf(g: ChildGateway, id: string, secret: string): Promise<Body[]> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${g.mqttPort}`, { username: id, password: secret, clientId: `${id}-${children.length}`, reconnectPeriod: 0 })
  c.on('error', () => {}) // the kill ends the connection
  clients.push(c)
  const got: Body[] = []
  c.on('message', (_t, payload) => got.push(JSON.parse(payload.toString()) as Body))
  expect((await c.subscribeAsync('v1/teams/north/events', { qos: 1 }))[0]!.qos).toBe(1)
  return got
}

it('SIGKILL after an alert change is committed and before its deliveries are queued: after the restart each change is delivered exactly once (webhook, MQTT, SSE)', async () => {
  receiver = await startReceiver(0)
  const teams = join(dir, 'teams.json')
  writeFileSync(teams, JSON.stringify({
    teams: [{ id: 'north', name: 'North', deliveries: [{ kind: 'mqtt' }, { kind: 'webhook', url: `${receiver.url}/north`, secret: SECRET }, { kind: 'sse' }], rateLimit: { windowS: 60, maxPerWindow: 100, maxListed: 50 } }],
    defaultTeam: 'north',
  }))
  const env = { GW_DATA_DIR: dataDir, GW_ALERT_TEAMS_FILE: teams }
  const first = await startChild({ ...env, CHILD_KILL_AT_CHANGE: '2' }, T0)
  children.push(first)
  const secrets: Record<string, string> = {}
  for (const id of ['u1', 'u2', 'u3']) {
    const r = await first.api<{ secret: string }>('POST', '/api/v1/devices', { id, kind: 'unit' })
    expect(r.status).toBe(201)
    secrets[id] = r.body.secret
    expect((await first.api('POST', `/api/v1/devices/${id}/in-service`, { pack: 'split-ac', unit: UNIT, since: T0 })).status).toBe(201)
  }
  const svc = await first.api<{ secret: string }>('POST', '/api/v1/devices', { id: 'svc-north', kind: 'service', team: 'north' })
  const before = await eventsOf(first, 'svc-north', svc.body.secret)
  const sse = readSse(first.httpUrl, first.token, 'north', undefined, (evs) => evs.length >= 1)

  // Change 1: u1's leakage alert, delivered normally.
  const units: Record<string, MqttClient> = {}
  for (const id of ['u1', 'u2', 'u3']) {
    units[id] = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.mqttPort}`, { username: id, password: secrets[id]!, reconnectPeriod: 0 })
    units[id].on('error', () => {})
    clients.push(units[id])
  }
  await units['u1']!.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts: T0 + 1000, values: { leakage_ma: 12 } }]), { qos: 1 })
  await waitUntil(() => receiver!.accepted.length === 1 && before.length === 1, 'the first change delivered')
  const seen = await sse
  expect(seen.map((e) => e.id)).toEqual([String((before[0]!.data.entry.seq))])

  // Changes 2 and 3 in one message each: the gateway dies when it tells the bus about change 2.
  units['u2']!.publish('v1/devices/me/telemetry', JSON.stringify([{ ts: T0 + 2000, values: { leakage_ma: 9 } }]), { qos: 1 })
  units['u3']!.publish('v1/devices/me/telemetry', JSON.stringify([{ ts: T0 + 2000, values: { leakage_ma: 7 } }]), { qos: 1 })
  expect(await first.exited).toBe('SIGKILL')
  const trail = auditTrail()
  expect(trail.size).toBeGreaterThanOrEqual(2) // change 2 was committed before the kill
  expect(receiver.accepted).toHaveLength(1)

  // Restart on the same data dir: the catch-up queues what the crash left behind.
  const second = await startChild(env, T0 + 10_000)
  children.push(second)
  const after = await eventsOf(second, 'svc-north', svc.body.secret)
  // The team topics wait GW_ALERT_MQTT_RESUME_MS (5 s) after a start with rows waiting: the apps resubscribe first.
  await second.setClock(T0 + 16_000)
  const changes = [...trail.keys()]
  await waitUntil(() => receiver!.accepted.length >= changes.length && before.length + after.length >= changes.length, `the ${changes.length} changes delivered`)
  await second.setClock(T0 + 30_000) // a little longer: nothing more comes
  await new Promise((r) => setTimeout(r, 300))

  // Webhooks: one webhook-id per change, every change (a retry would repeat an id, never a change under a new one).
  const idsBySeq = new Map<number, Set<string>>()
  for (const d of receiver.accepted) {
    const b = d.body as unknown as Body
    expect(b.data.alert?.id).toBe(trail.get(b.data.entry.seq))
    const s = idsBySeq.get(b.data.entry.seq) ?? new Set<string>()
    idsBySeq.set(b.data.entry.seq, s.add(d.id))
  }
  expect([...idsBySeq.keys()].sort((a, b) => a - b)).toEqual(changes)
  for (const [seq, ids] of idsBySeq) expect(ids.size, `webhook-ids of change ${seq}`).toBe(1)
  expect(receiver.accepted.every((d) => d.signatureOk)).toBe(true)
  // MQTT events: each change once, before or after the crash.
  expect([...before, ...after].map((b) => b.data.entry.seq).sort((a, b) => a - b)).toEqual(changes)
  // SSE: resumed after the last id seen before the crash, exactly the changes after it, with their audit seqs as ids.
  const resumed = await readSse(second.httpUrl, second.token, 'north', seen[0]!.id, (evs) => evs.length >= changes.length - 1)
  expect(resumed.map((e) => Number(e.id))).toEqual(changes.slice(1))
  expect(resumed.map((e) => (JSON.parse(e.data) as Body).data.alert?.id)).toEqual(changes.slice(1).map((s) => trail.get(s)))
})
