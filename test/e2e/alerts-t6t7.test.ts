/**
 * T6 and T7 end to end (issue 11, DOMAIN.md): a real gateway (aedes over TCP, HTTP, SQLite),
 * units publishing telemetry with mqtt.js, the gateway clock a ManualClock. Expected times are
 * written by hand from DOMAIN.md: T2 acknowledge 20 min / resolve 24 h, repeated every 2 h,
 * three levels (the packs' escalateEveryS / maxEscalations); T6 <= 1000 km: on site within
 * 48 h (seed §17 4.1.1.3); T7 monthly: the packs' 31 days (seed §14).
 *
 * - a leakage alert of a unit 500 km away gets a 48 h on-site deadline and escalates (to the
 *   supervisors' webhook) when it passes; a unit visited at 47 h does not escalate for it;
 * - a maintained unit with no inspection for 31 days gets one inspection_overdue alert, still
 *   one after a gateway restart, cleared by recording a signed inspection.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterAll, expect, it } from 'vitest'

import { ManualClock } from '../../gateway/clock.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'
import { eventually, INSTALLER, startReceiver, writeTeamsFile, type AlertView, type Receiver } from './alerts-site.js'

const MIN = 60_000
const H = 60 * MIN
const DAY = 24 * H
const T0 = Date.UTC(2026, 10, 9, 8, 0, 0)
const UNIT = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

const dirs: string[] = []
const open: Harness[] = []
let receiver: Receiver | undefined

afterAll(async () => {
  for (const h of open) await h.close()
  await receiver?.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

type Detail = Omit<AlertView, 'escalations'> & { escalations: { level: number; at: number; fromTeam: string; toTeam: string; missed: string }[]; plan: { deadlines: { kind: string; at: number; metAt: number | null }[] }; audit: { action: string; note: string }[]; cleared: { note: string } | null }

async function start(clock: ManualClock, dataDir: string, env: Record<string, string>): Promise<Harness> {
  const h = await startHarness({ clock, dataDir, env })
  open.push(h)
  return h
}

async function stop(h: Harness): Promise<void> {
  open.splice(open.indexOf(h), 1)
  await h.close()
}

/** One unit in service (its secret), with the body's extra facts. */
async function unitInService(h: Harness, id: string, since: number, extra: Record<string, unknown>): Promise<string> {
  const secret = await h.register(id, 'unit')
  const r = await h.api('POST', `/api/v1/devices/${id}/in-service`, { pack: 'split-ac', unit: UNIT, since, installerId: INSTALLER, ...extra })
  expect(r.status).toBe(201)
  return secret
}

const publish = (c: MqttClient, ts: number, values: Record<string, number>) => c.publishAsync('v1/devices/me/telemetry', JSON.stringify([{ ts, values }]), { qos: 1 })

async function alertsOf(h: Harness, deviceId: string, fault: string): Promise<Detail[]> {
  const list = (await h.api<{ alerts: AlertView[] }>('GET', `/api/v1/alerts?deviceId=${deviceId}&fault=${fault}`)).body.alerts
  const out: Detail[] = []
  for (const a of list) out.push((await h.api<Detail>('GET', `/api/v1/alerts/${a.id}`)).body)
  return out
}

it('T6: leakage 500 km away must be on site within 48 h; missed, it escalates; visited at 47 h, it does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-t6-'))
  dirs.push(dir)
  receiver = await startReceiver(0)
  const clock = new ManualClock(T0)
  const h = await start(clock, dir, { GW_ALERT_TEAMS_FILE: writeTeamsFile(dir, receiver.url) })
  const far = await h.connect('unit-far', await unitInService(h, 'unit-far', T0, { distanceKm: 500, distanceSource: 'route planner' }))
  const visited = await h.connect('unit-visited', await unitInService(h, 'unit-visited', T0, { distanceKm: 500, distanceSource: 'route planner' }))

  // Minute 1: both units' casing leaks 6 mA (limit 3.5 mA): one critical leakage alert each.
  clock.set(T0 + MIN)
  await publish(far, T0 + MIN, { leakage_ma: 6 })
  await publish(visited, T0 + MIN, { leakage_ma: 6 })
  let a: Detail[] = []
  let b: Detail[] = []
  await eventually(clock, async () => (a = await alertsOf(h, 'unit-far', 'leakage')).length === 1 && (b = await alertsOf(h, 'unit-visited', 'leakage')).length === 1, 'the leakage alerts')
  for (const x of [a[0]!, b[0]!]) {
    expect(x.raisedAt).toBe(T0 + MIN)
    expect(x.plan.deadlines.find((d) => d.kind === 'on_site')).toMatchObject({ at: T0 + MIN + 48 * H, metAt: null })
  }
  // Acknowledged at minute 5 (T2 met): the resolve deadline (24 h) and the visit (48 h) remain.
  clock.set(T0 + 5 * MIN)
  for (const x of [a[0]!, b[0]!]) expect((await h.api('POST', `/api/v1/alerts/${x.id}/acknowledge`, { by: 'li' })).status).toBe(200)

  // 47 h after the raise: maintenance is on site at the visited unit.
  clock.set(T0 + MIN + 47 * H)
  expect((await h.api('POST', `/api/v1/alerts/${b[0]!.id}/on-site`, { by: 'wang', who: 'maintenance', note: 'earth wire replaced' })).status).toBe(200)

  // 48 h and a minute after the raise, the units still leak (the alerts stay open).
  clock.set(T0 + MIN + 48 * H + MIN)
  await publish(far, clock.now(), { leakage_ma: 6 })
  await publish(visited, clock.now(), { leakage_ma: 6 })
  const levels = (d: Detail) => d.escalations.map((e) => [e.level, (e.at - (T0 + MIN)) / H, e.missed])
  await eventually(clock, async () => (a = await alertsOf(h, 'unit-far', 'leakage'))[0]!.escalations.length === 4, 'the on-site escalation of unit-far')
  // Resolve missed at 24 h, repeated at 26 h and 28 h (three levels), then the visit missed at 48 h.
  expect(levels(a[0]!)).toEqual([
    [1, 24, 'resolve'],
    [2, 26, 'resolve'],
    [3, 28, 'resolve'],
    [4, 48, 'on_site'],
  ])
  expect(a[0]!.escalations.at(-1)).toMatchObject({ fromTeam: 'supervisors', toTeam: 'supervisors' })
  await eventually(clock, async () => (b = await alertsOf(h, 'unit-visited', 'leakage'))[0]!.escalations.length === 3, 'the resolve escalations of unit-visited')
  expect(levels(b[0]!)).toEqual([
    [1, 24, 'resolve'],
    [2, 26, 'resolve'],
    [3, 28, 'resolve'],
  ])
  expect(b[0]!.audit.find((e) => e.action === 'on_site')!.note).toContain('on_site deadline met')
  // The supervisors' webhook was told of the missed visit.
  await eventually(
    clock,
    () => receiver!.accepted.some((d) => d.path === '/supervisors' && d.body.type === 'alert.escalated' && d.raw.includes(a[0]!.id) && d.raw.includes('"missed":"on_site"')),
    'alert.escalated (on_site) at supervisors',
    { maxAdvanceMs: 5 * MIN },
  )
})

it('T7: a maintained unit not inspected for 31 days raises one inspection_overdue alert, across a restart, cleared by a signed inspection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-t7-'))
  dirs.push(dir)
  const clock = new ManualClock(T0)
  let h = await start(clock, dir, {})
  const secret = await unitInService(h, 'unit-kept', T0, { distanceKm: 80, distanceSource: 'survey' })
  expect((await h.api('PATCH', '/api/v1/units/unit-kept', { maintained: true, maintainedSince: T0 })).status).toBe(200)
  let unit = await h.connect('unit-kept', secret)

  // 30 days on, the unit reports normally: nothing overdue.
  clock.set(T0 + 30 * DAY)
  await publish(unit, clock.now(), { leakage_ma: 0.3 })
  await eventually(clock, async () => (await h.api<{ alerts: AlertView[] }>('GET', '/api/v1/alerts?deviceId=unit-kept')).body.alerts.length === 0, 'no alert at 30 days')
  expect(await alertsOf(h, 'unit-kept', 'inspection_overdue')).toEqual([])

  // 31 days and 2 minutes: the month has passed without an inspection.
  clock.set(T0 + 31 * DAY + 2 * MIN)
  await publish(unit, clock.now(), { leakage_ma: 0.3 })
  let over: Detail[] = []
  await eventually(clock, async () => (over = await alertsOf(h, 'unit-kept', 'inspection_overdue')).length > 0, 'the inspection_overdue alert')
  expect(over.map((x) => [x.state, x.severity, x.raisedAt])).toEqual([['active', 'minor', T0 + 31 * DAY + 2 * MIN]])

  // A restart: still one alert, the same one.
  await stop(h)
  clock.advance(5_000)
  h = await start(clock, dir, {})
  unit = await h.connect('unit-kept', secret)
  await publish(unit, clock.now(), { leakage_ma: 0.3 })
  clock.advance(2 * MIN)
  await publish(unit, clock.now(), { leakage_ma: 0.3 })
  // Run what time decides now (the module's timer does it too): the overdue sweep sees the open alert.
  h.gateway.alerts.flush()
  h.gateway.alerts.tick()
  const after = await alertsOf(h, 'unit-kept', 'inspection_overdue')
  expect(after.map((x) => [x.id, x.state, x.triggers])).toEqual([[over[0]!.id, 'active', 1]])

  // The inspection, signed: the alert clears.
  const ins = await h.api('POST', '/api/v1/units/unit-kept/inspections', { by: 'wang', signedBy: 'zhao (supervisor)', checks: [{ item: 'casing leakage', ok: true, note: '0.3 mA' }] })
  expect(ins.status).toBe(201)
  const cleared = (await alertsOf(h, 'unit-kept', 'inspection_overdue'))[0]!
  expect(cleared.state).toBe('cleared')
  expect(cleared.cleared!.note).toContain('signed by zhao (supervisor)')
  expect((await h.api<{ inspections: { signedBy: string }[] }>('GET', '/api/v1/units/unit-kept/inspections')).body.inspections.map((i) => i.signedBy)).toEqual(['zhao (supervisor)'])
})
