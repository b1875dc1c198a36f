/**
 * A team's MQTT topics (api.md "MQTT deliveries") through the real `mosquitto_sub`, as a
 * service device of the team with its credentials: the retained state per alert
 * (v1/teams/<team>/alerts/<id>, emptied once cleared) and the events (v1/teams/<team>/events).
 * The broker keeps retained messages in memory only: after a gateway restart a new subscriber
 * still gets the state of every open alert, and the cleared one stays gone.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'
import { AlertDriver, inService, writeTeamsFile } from '../alerts/deliveries/delivery-fixture.js'

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0)
const dir = mkdtempSync(join(tmpdir(), 'gw-deliv-topics-'))
const dataDir = join(dir, 'data')
const subs: ChildProcess[] = []
const open: Harness[] = []
afterAll(async () => {
  for (const s of subs) s.kill('SIGKILL')
  for (const h of open) await h.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Line { retained: boolean; topic: string; payload: string }

/** mosquitto_sub as the service device; resolves once its SUBACK came (-d prints it). */
async function mosquittoSub(h: Harness, id: string, secret: string, topic: string, extra: string[] = []): Promise<{ lines: Line[]; exited: Promise<void> }> {
  const port = new URL(h.mqttUrl).port
  // stdbuf: mosquitto_sub's debug lines (the SUBACK) are block-buffered on a pipe otherwise.
  const p = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', '-h', '127.0.0.1', '-p', port, '-i', `${id}-${subs.length}`, '-u', id, '-P', secret, '-q', '1', '-t', topic, '-F', 'MSG %r %t %p', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
  subs.push(p)
  const lines: Line[] = []
  let buf = ''
  let subacked!: () => void
  const ready = new Promise<void>((r) => (subacked = r))
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let cut: number
    while ((cut = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, cut)
      buf = buf.slice(cut + 1)
      if (line.includes('received SUBACK')) subacked()
      const m = /^MSG ([01]) (\S+) ?(.*)$/.exec(line)
      if (m) lines.push({ retained: m[1] === '1', topic: m[2]!, payload: m[3]! })
    }
  })
  const exited = new Promise<void>((r) => p.once('exit', () => r()))
  await Promise.race([ready, exited.then(() => Promise.reject(new Error('mosquitto_sub exited before its SUBACK')))])
  return { lines, exited }
}

const kindOf = (l: Line) => (l.payload === '' ? '' : ((JSON.parse(l.payload) as { type?: string; id?: string }).type ?? (JSON.parse(l.payload) as { id: string }).id))

it('mosquitto_sub as a service device: retained state per alert and events; after a restart a new subscriber still gets the open alerts', { timeout: 60_000 }, async () => {
  const clock = new ManualClock(T0)
  const file = writeTeamsFile(dir, { teams: [{ id: 'north', name: 'North', deliveries: [{ kind: 'mqtt' }] }], defaultTeam: 'north' })
  const env = { GW_ALERT_TEAMS_FILE: file, GW_ALERT_DELIVERY_POLL_MS: '20' }
  const h1 = await startHarness({ clock, dataDir, env })
  open.push(h1)
  const secret = await h1.register('svc-north', 'service', undefined, 'north')
  await inService(h1, 'unit-1', 'unit-2')
  const live = await mosquittoSub(h1, 'svc-north', secret, 'v1/teams/north/#')

  const d = new AlertDriver(h1.gateway, ['north'])
  const a1 = d.raise('unit-1', T0)
  const a2 = d.raise('unit-2', T0)
  d.apply(a2.id, { kind: 'clear', by: 'li.wei', at: T0 + 60_000, note: 'breaker replaced' })
  await waitFor(() => live.lines.length === 6, 'six messages on north', 10_000)
  expect(live.lines.map((l) => [l.topic, kindOf(l)])).toEqual([
    [`v1/teams/north/alerts/${a1.id}`, a1.id],
    ['v1/teams/north/events', 'alert.raised'],
    [`v1/teams/north/alerts/${a2.id}`, a2.id],
    ['v1/teams/north/events', 'alert.raised'],
    [`v1/teams/north/alerts/${a2.id}`, ''],
    ['v1/teams/north/events', 'alert.cleared'],
  ])
  // A late subscriber: the retained state of the open alert only.
  const late = await mosquittoSub(h1, 'svc-north', secret, 'v1/teams/north/alerts/+', ['--retained-only', '-W', '2'])
  await late.exited
  expect(late.lines.map((l) => [l.retained, l.topic])).toEqual([[true, `v1/teams/north/alerts/${a1.id}`]])
  expect(JSON.parse(late.lines[0]!.payload)).toMatchObject({ id: a1.id, state: 'active', fault: 'leakage' })

  // Restart (the broker's retained messages go with the process).
  open.splice(open.indexOf(h1), 1)
  await h1.close()
  const h2 = await startHarness({ clock, dataDir, env })
  open.push(h2)
  clock.advance(6000) // GW_ALERT_MQTT_RESUME_MS (5 s): the team topics wait for the apps to resubscribe
  await waitFor(async () => (await h2.api<{ alerts: { deliveries: Record<string, { backlog: number }> } }>('GET', '/healthz')).body.alerts.deliveries['alert-mqtt']!.backlog === 0, 'the MQTT rows published', 10_000)
  const after = await mosquittoSub(h2, 'svc-north', secret, 'v1/teams/north/alerts/+', ['--retained-only', '-W', '2'])
  await after.exited
  expect(after.lines.map((l) => [l.retained, l.topic])).toEqual([[true, `v1/teams/north/alerts/${a1.id}`]])
  expect(JSON.parse(after.lines[0]!.payload)).toMatchObject({ id: a1.id, state: 'active' })

  // And the events go on: an acknowledgement after the restart, live.
  const live2 = await mosquittoSub(h2, 'svc-north', secret, 'v1/teams/north/#')
  await waitFor(() => live2.lines.length === 1, 'the retained state on subscribing', 10_000)
  const d2 = new AlertDriver(h2.gateway, ['north'], 'north-2')
  d2.alerts.set(a1.id, d.alerts.get(a1.id)!)
  d2.apply(a1.id, { kind: 'acknowledge', by: 'li.wei', at: T0 + 120_000 })
  await waitFor(() => live2.lines.length === 3, 'the acknowledgement', 10_000)
  expect(live2.lines.slice(1).map((l) => [l.topic, kindOf(l)])).toEqual([
    [`v1/teams/north/alerts/${a1.id}`, a1.id],
    ['v1/teams/north/events', 'alert.acknowledged'],
  ])
  expect(JSON.parse(live2.lines[1]!.payload)).toMatchObject({ state: 'acknowledged' })
})
