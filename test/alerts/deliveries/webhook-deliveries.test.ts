/**
 * Alert webhooks through the durable outbox (issue 11 "Routing"), against a real HTTP receiver
 * on 127.0.0.1 and a real gateway: a receiver that fails (500, then no answer, then a refused
 * connection) gets every message exactly once per webhook-id, in order, signed anew at every
 * attempt; the backlog and the last error are in /healthz; a restart loses nothing queued;
 * a storm is rate-limited and grouped.
 */
import { join } from 'node:path'
import { expect, it } from 'vitest'

import { startHarness, waitFor } from '../../helpers/gateway-harness.js'
import { AlertDriver, inService, SECRET, webhookSite, writeTeamsFile } from './delivery-fixture.js'

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)
const MIN = 60_000
const SINK = 'webhook:north:0'

interface SinkHealth { backlog: number; attempts: number; lastError: string | null; oldestQueuedAt: string | null; team?: string }
interface Healthz { status: string; reasons: string[]; alerts: { deliveries: Record<string, SinkHealth> } }

const site = webhookSite('gw-webhooks-', T0)

function teamsFile(rateLimit = { windowS: 60, maxPerWindow: 5, maxListed: 50 }): string {
  return writeTeamsFile(site.dir, {
    teams: [
      { id: 'north', name: 'North service', escalatesTo: 'supervisors', deliveries: [{ kind: 'webhook', url: site.rx.url, secret: SECRET }], rateLimit },
      { id: 'supervisors', name: 'Supervisors', deliveries: [{ kind: 'sse' }] },
    ],
    defaultTeam: 'north',
  })
}

const start = async (file: string, dataDir?: string) =>
  (site.h = await startHarness({
    clock: site.clock,
    ...(dataDir ? { dataDir } : {}),
    env: { GW_ALERT_TEAMS_FILE: file, GW_ALERT_WEBHOOK_TIMEOUT_MS: '300', GW_ALERT_DELIVERY_POLL_MS: '20' },
  }))

const healthz = async (): Promise<Healthz> => (await site.h!.api<Healthz>('GET', '/healthz')).body
const sinkHealth = async (): Promise<SinkHealth> => (await healthz()).alerts.deliveries[SINK]!
const sec = (ms: number) => Math.floor(ms / 1000)

it('500, no answer, connection refused, then accepted: each message once per id, in order, re-signed per attempt; /healthz tells', async () => {
  await start(teamsFile())
  site.rx.plan = ['fail', 'hang']
  await inService(site.h!, 'unit-1', 'unit-2')
  const d = new AlertDriver(site.h!.gateway, ['north', 'supervisors'])
  const a1 = d.raise('unit-1', T0)
  site.clock.advance(1000)
  const a2 = d.raise('unit-2', site.clock.now())
  site.clock.advance(1000)
  d.apply(a1.id, { kind: 'acknowledge', by: 'li.wei', at: site.clock.now(), note: 'on my way' })
  const t1 = site.clock.now()

  await waitFor(async () => (await sinkHealth()).attempts === 1, 'the first attempt to fail')
  expect(site.rx.requests.map((r) => r.answered)).toEqual(['fail'])
  expect(await sinkHealth()).toMatchObject({ team: 'north', backlog: 3, attempts: 1, lastError: expect.stringMatching(/HTTP 500/) })
  expect((await healthz()).status).toBe('ok')

  site.clock.advance(6 * MIN) // past the backoff's cap (5 min)
  await waitFor(async () => (await sinkHealth()).attempts === 2, 'the second attempt to time out')
  expect((await sinkHealth()).lastError).toMatch(/no answer within 300 ms/)

  await site.rx.down()
  // The gateway's pooled connection must see the receiver's close first (a busy machine once
  // reused it: UND_ERR_SOCKET instead of a refused connection).
  await new Promise((r) => setTimeout(r, 100))
  site.clock.advance(6 * MIN)
  await waitFor(async () => (await sinkHealth()).attempts === 3, 'the third attempt to be refused')
  expect((await sinkHealth()).lastError).toMatch(/ECONNREFUSED/)
  // 12 min queued: not yet degraded; past 15 min it is.
  expect((await healthz()).status).toBe('ok')
  site.clock.advance(4 * MIN)
  const degraded = await healthz()
  expect(degraded.status).toBe('degraded')
  expect(degraded.reasons.join('\n')).toMatch(/alert deliveries to webhook:north:0 have waited since/)

  await site.rx.up()
  site.clock.advance(2 * MIN)
  await waitFor(() => site.rx.delivered.length === 3, 'all three messages')
  const ids = site.rx.requests.map((r) => r.id)
  expect(new Set(ids).size).toBe(3)
  expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]]) // the first message, retried with its id
  expect(site.rx.requests.map((r) => r.answered)).toEqual(['fail', 'hang', 'ok', 'ok', 'ok'])
  expect(site.rx.requests.every((r) => r.verified)).toBe(true)
  // A timestamp of its own for every attempt (the clock moved 6, 12 and 18 min on).
  expect(site.rx.requests.map((r) => Number(r.timestamp))).toEqual([sec(t1), sec(t1 + 6 * MIN), sec(t1 + 18 * MIN), sec(t1 + 18 * MIN), sec(t1 + 18 * MIN)])
  const bodies = site.rx.delivered.map((m) => m.body as { type: string; data: { alert: { id: string; state: string }; team: string } })
  expect(bodies.map((b) => [b.type, b.data.alert.id, b.data.alert.state, b.data.team])).toEqual([
    ['alert.raised', a1.id, 'active', 'north'],
    ['alert.raised', a2.id, 'active', 'north'],
    ['alert.acknowledged', a1.id, 'acknowledged', 'north'],
  ])
  await waitFor(async () => (await sinkHealth()).backlog === 0, 'the backlog to empty')
  expect(await sinkHealth()).toMatchObject({ backlog: 0, attempts: 0, lastError: null, oldestQueuedAt: null })
  expect((await healthz()).status).toBe('ok')
})

it('a gateway restart loses no queued message, and the ids survive it', async () => {
  const file = teamsFile()
  const dataDir = join(site.dir, 'data')
  await start(file, dataDir)
  await site.rx.down()
  await inService(site.h!, 'unit-1', 'unit-2')
  const d = new AlertDriver(site.h!.gateway, ['north'])
  const a1 = d.raise('unit-1', T0)
  const a2 = d.raise('unit-2', T0)
  await waitFor(async () => (await sinkHealth()).attempts === 1, 'a refused attempt')
  await site.h!.close()
  site.h = undefined

  await site.rx.up()
  await start(file, dataDir)
  expect((await sinkHealth()).backlog).toBe(2)
  site.clock.advance(6 * MIN)
  await waitFor(() => site.rx.delivered.length === 2, 'both messages after the restart')
  expect(site.rx.delivered.map((m) => (m.body as { data: { alert: { id: string } } }).data.alert.id)).toEqual([a1.id, a2.id])
  expect(site.rx.requests.length).toBe(2)
})

it('a storm is rate-limited: maxPerWindow one by one, then one grouped message at the window end', async () => {
  await start(teamsFile({ windowS: 60, maxPerWindow: 2, maxListed: 2 }))
  await inService(site.h!, 'unit-1', 'unit-2', 'unit-3', 'unit-4', 'unit-5')
  const d = new AlertDriver(site.h!.gateway, ['north'])
  const alerts = []
  for (let i = 1; i <= 5; i++) alerts.push(d.raise(`unit-${i}`, T0))
  await waitFor(() => site.rx.delivered.length === 2, 'the first two one by one')
  expect((await healthz()).alerts).toMatchObject({ heldForGroups: { north: 3 } })
  site.clock.advance(60_000)
  await waitFor(() => site.rx.delivered.length === 3, 'the group')
  const group = site.rx.delivered[2]!.body as { type: string; data: { count: number; omitted: number; listed: { alertId: string }[]; byFault: Record<string, number> } }
  expect(group.type).toBe('alerts.grouped')
  expect(group.data).toMatchObject({ count: 3, omitted: 1, byFault: { leakage: 3 } })
  expect(group.data.listed.map((e) => e.alertId)).toEqual([alerts[2]!.id, alerts[3]!.id])
  expect(site.rx.requests.length).toBe(3)
})

it('a change whose alert cannot be read back is delivered with what its audit entry says and the problem, not skipped', async () => {
  await start(teamsFile())
  // unit-x is not in service: the store cannot read the alert back (its deadlines are unknown).
  const d = new AlertDriver(site.h!.gateway, ['north'])
  const a = d.raise('unit-x', T0)
  await waitFor(() => site.rx.delivered.length === 1, 'the delivery')
  const body = site.rx.delivered[0]!.body as { type: string; data: { alert: unknown; problem: string; entry: { alertId: string; action: string; seq: number; team: string }; event: { alertId: string; deviceId: string; fault: string } } }
  expect(body.type).toBe('alert.raised')
  expect(body.data.alert).toBeNull()
  expect(body.data.problem).toMatch(/unit unit-x is no longer in service/)
  expect(body.data.entry).toMatchObject({ alertId: a.id, action: 'raise', team: 'north', seq: expect.any(Number) })
  // The alerts row's columns still name the unit and the fault.
  expect(body.data.event).toMatchObject({ alertId: a.id, deviceId: 'unit-x', fault: 'leakage' })
})
