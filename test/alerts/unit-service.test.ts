/**
 * T6 / T7 on a real gateway (SQLite in a temp dir, the HTTP API by inject(), the ingest path fed
 * directly, a ManualClock): the distance of a unit from its service centre (set at in-service,
 * changed later and applied to open alerts), the on-site visit, maintained units' inspections
 * and the one overdue-inspection alert (across a restart), and the routes' errors. Expected
 * times by hand from DOMAIN.md: T6 <= 1000 km 48 h; T7 monthly = the packs' 31 days.
 */
import { afterEach, describe, expect, it } from 'vitest'

import { ManualClock } from '../../gateway/clock.js'
import { startAlertsGateway, stopAlertsGateways, UNIT, type AlertsGateway } from './alerts-harness.js'

const T0 = Date.UTC(2026, 5, 1, 8, 0, 0)
const MIN = 60_000
const H = 60 * MIN
const DAY = 24 * H
afterEach(stopAlertsGateways)

type Err = { error: { code: string; message: string } }
type AlertView = { id: string; fault: string; state: string; severity: string; raisedAt: number; triggers: number; clause: string; source: string; notJudged?: { kind: string; reason: string }[]; plan: { deadlines: { kind: string; at: number; metAt: number | null }[] }; audit?: { action: string; note: string }[] }

async function start(clock: ManualClock, dataDir?: string) {
  const h = await startAlertsGateway(clock, dataDir)
  const send: AlertsGateway['send'] = async (deviceId, samples) => {
    await h.send(deviceId, samples)
    h.g.alerts.flush()
  }
  const alerts = async (q = '') => (await h.api<{ alerts: AlertView[] }>('GET', `/api/v1/alerts?${q}`)).body.alerts
  return { ...h, send, alerts }
}

async function unitInService(h: Awaited<ReturnType<typeof start>>, since: number, extra: Record<string, unknown> = {}, id = 'unit-1') {
  expect((await h.api('POST', '/api/v1/devices', { id, kind: 'unit' })).status).toBe(201)
  const r = await h.api('POST', `/api/v1/devices/${id}/in-service`, { pack: 'split-ac', unit: UNIT, since, ...extra })
  expect(r.status).toBe(201)
  return r.body
}

describe('routes refuse bad T6 / T7 input, saying what was wrong', () => {
  it('distance, unknown unit, missing signer, not maintained, bad visit', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    await h.api('POST', '/api/v1/devices', { id: 'unit-1', kind: 'unit' })
    const neg = await h.api<Err>('POST', '/api/v1/devices/unit-1/in-service', { pack: 'split-ac', unit: UNIT, distanceKm: -5, distanceSource: 'survey' })
    expect([neg.status, neg.body.error.code, neg.body.error.message]).toEqual([400, 'GW_ERR_VALIDATION', expect.stringMatching(/distanceKm.*cannot be negative/)])
    const noSource = await h.api<Err>('POST', '/api/v1/devices/unit-1/in-service', { pack: 'split-ac', unit: UNIT, distanceKm: 500 })
    expect([noSource.status, noSource.body.error.message]).toEqual([400, expect.stringContaining('body.distanceSource: say where distanceKm (500 km) came from')])
    const unknown = await h.api<Err>('PATCH', '/api/v1/units/nope', { distanceKm: 10, distanceSource: 'survey' })
    expect([unknown.status, unknown.body.error.message]).toEqual([404, 'unit "nope" in service not found'])
    expect((await h.api<Err>('POST', '/api/v1/units/nope/inspections', { by: 'wang', signedBy: 'li', notes: 'ok' })).status).toBe(404)

    expect((await h.api('POST', '/api/v1/devices/unit-1/in-service', { pack: 'split-ac', unit: UNIT, distanceKm: 500, distanceSource: 'route planner' })).status).toBe(201)
    const empty = await h.api<Err>('PATCH', '/api/v1/units/unit-1', {})
    expect([empty.status, empty.body.error.message]).toEqual([400, expect.stringContaining('give at least one of distanceKm, maintained')])
    const notMaintained = await h.api<Err>('POST', '/api/v1/units/unit-1/inspections', { by: 'wang', signedBy: 'li', notes: 'all fine' })
    expect([notMaintained.status, notMaintained.body.error.message]).toEqual([409, expect.stringContaining('not under a maintenance contract')])
    expect((await h.api('PATCH', '/api/v1/units/unit-1', { maintained: true })).status).toBe(200)
    const noSigner = await h.api<Err>('POST', '/api/v1/units/unit-1/inspections', { by: 'wang', notes: 'all fine' })
    expect([noSigner.status, noSigner.body.error.code, noSigner.body.error.message]).toEqual([400, 'GW_ERR_VALIDATION', expect.stringContaining('body.signedBy')])
    const blankSigner = await h.api<Err>('POST', '/api/v1/units/unit-1/inspections', { by: 'wang', signedBy: '  ', notes: 'all fine' })
    expect([blankSigner.status, blankSigner.body.error.message]).toEqual([400, expect.stringContaining('body.signedBy: say who')])
    const nothing = await h.api<Err>('POST', '/api/v1/units/unit-1/inspections', { by: 'wang', signedBy: 'li' })
    expect([nothing.status, nothing.body.error.message]).toEqual([400, expect.stringContaining('say what was inspected')])
    const future = await h.api<Err>('POST', '/api/v1/units/unit-1/inspections', { by: 'wang', signedBy: 'li', notes: 'ok', at: T0 + DAY })
    expect([future.status, future.body.error.message]).toEqual([400, expect.stringContaining('is in the future')])

    const noAlert = await h.api<Err>('POST', '/api/v1/alerts/nope/on-site', { by: 'wang', who: 'maintenance' })
    expect([noAlert.status, noAlert.body.error.code]).toEqual([404, 'GW_ERR_ALERT_NO_ALERT'])
    const badWho = await h.api<Err>('POST', '/api/v1/alerts/nope/on-site', { by: 'wang', who: 'customer' })
    expect([badWho.status, badWho.body.error.message]).toEqual([400, expect.stringContaining('body.who')])
  })
})

it('the OpenAPI document lists the T6 / T7 routes', async () => {
  const h = await start(new ManualClock(T0))
  const res = await h.g.http!.inject({ method: 'GET', url: '/openapi.json' })
  const paths = (JSON.parse(res.body) as { paths: Record<string, Record<string, unknown>> }).paths
  expect(Object.keys(paths['/api/v1/alerts/{id}/on-site'] ?? {})).toEqual(['post'])
  expect(Object.keys(paths['/api/v1/units/{id}'] ?? {}).sort()).toEqual(['get', 'patch'])
  expect(Object.keys(paths['/api/v1/units/{id}/inspections'] ?? {}).sort()).toEqual(['get', 'post'])
})

describe('T6: on site by distance', () => {
  it('a unit 500 km away: its leakage alert must be on site within 48 h; the visit is recorded once and audited', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    const u = await unitInService(h, T0, { distanceKm: 500, distanceSource: 'route planner, Wuhan centre' })
    expect(u).toMatchObject({ distanceKm: 500, distanceSource: 'route planner, Wuhan centre', maintainedSince: null })
    clock.advance(MIN)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 6 } }])
    const [a] = await h.alerts()
    expect(a!.plan.deadlines.find((d) => d.kind === 'on_site')).toMatchObject({ at: T0 + MIN + 48 * H, metAt: null })
    clock.advance(30 * H)
    const v = await h.api<AlertView>('POST', `/api/v1/alerts/${a!.id}/on-site`, { by: 'wang', who: 'maintenance', note: 'earth wire replaced' })
    expect(v.status).toBe(200)
    expect(v.body.plan.deadlines.find((d) => d.kind === 'on_site')!.metAt).toBe(T0 + MIN + 30 * H)
    const again = await h.api<Err>('POST', `/api/v1/alerts/${a!.id}/on-site`, { by: 'zhao', who: 'maintenance' })
    expect([again.status, again.body.error.code, again.body.error.message]).toEqual([409, 'GW_ERR_ALERT_ALREADY', expect.stringContaining('wang')])
    const early = await h.api<Err>('POST', `/api/v1/alerts/${a!.id}/on-site`, { by: 'inst', who: 'installer', at: T0 })
    expect([early.status, early.body.error.code]).toEqual([400, 'GW_ERR_ALERT_TIME'])
    const audit = (await h.api<AlertView>('GET', `/api/v1/alerts/${a!.id}`)).body.audit!
    // (Nobody acknowledged: the acknowledge escalations are there too.)
    expect(audit.map((e) => e.action).filter((x) => x !== 'escalate')).toEqual(['raise', 'on_site'])
    expect(audit.find((e) => e.action === 'on_site')!.note).toContain('maintenance on site; on_site deadline met')
  })

  it('no distance: the alert says T6 was not judged; a distance set later gives it 48 h from its raise, audited', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    await unitInService(h, T0)
    clock.advance(MIN)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 6 } }])
    const [a] = await h.alerts()
    expect(a!.plan.deadlines.map((d) => d.kind)).toEqual(['acknowledge', 'resolve'])
    expect(a!.notJudged).toEqual([{ kind: 'on_site', reason: expect.stringContaining('T6 on-site deadline not judged: the distance of unit unit-1 from its service centre is not known') }])
    clock.advance(2 * H)
    const p = await h.api('PATCH', '/api/v1/units/unit-1', { distanceKm: 500, distanceSource: 'site survey' })
    expect(p.body).toEqual({ deviceId: 'unit-1', distanceKm: 500, distanceSource: 'site survey', maintained: false, maintainedSince: null })
    const b = (await h.api<AlertView>('GET', `/api/v1/alerts/${a!.id}`)).body
    expect(b.plan.deadlines.find((d) => d.kind === 'on_site')).toMatchObject({ at: T0 + MIN + 48 * H })
    expect(b.notJudged).toBeUndefined()
    expect(b.audit!.map((e) => e.action).filter((x) => x !== 'escalate')).toEqual(['raise', 'update'])
    expect(b.audit!.find((e) => e.action === 'update')!.note).toContain('no distance -> 500 km (site survey)')
    // Kept across a re-registration that does not give one.
    const again = await h.api('POST', '/api/v1/devices/unit-1/in-service', { pack: 'split-ac', unit: UNIT, since: clock.now() })
    expect(again.body).toMatchObject({ distanceKm: 500, distanceSource: 'site survey' })
  })
})

describe('T6: the distance given when the job is closed', () => {
  it('a unit 250 km away (<= 300 km): on site within 24 h of its alert', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    await h.api('POST', '/api/v1/devices', { id: 'unit-1', kind: 'unit' })
    expect((await h.api('POST', '/api/v1/jobs', { id: 'job-1', installerId: 'inst-1', rulePack: 'split-ac', unit: UNIT })).status).toBe(201)
    await h.api('POST', '/api/v1/jobs/job-1/devices', { deviceId: 'unit-1', at: T0 })
    clock.set(T0 + H)
    const bad = await h.api<Err>('POST', '/api/v1/jobs/job-1/close', { distanceKm: 250 })
    expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringContaining('body.distanceSource')])
    const closed = await h.api<{ inService: { deviceId: string; distanceKm: number; distanceSource: string }[] }>('POST', '/api/v1/jobs/job-1/close', { distanceKm: 250, distanceSource: 'installer record' })
    expect(closed.body.inService).toMatchObject([{ deviceId: 'unit-1', distanceKm: 250, distanceSource: 'installer record' }])
    clock.advance(MIN)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 6 } }])
    const [a] = await h.alerts()
    expect(a!.plan.deadlines.find((d) => d.kind === 'on_site')).toMatchObject({ at: T0 + H + MIN + 24 * H })
  })
})

describe('T7: monthly inspection of maintained units', () => {
  it('31 days without an inspection: one inspection_overdue alert, still one after a restart, cleared by a signed inspection', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    await unitInService(h, T0, { distanceKm: 120, distanceSource: 'survey' })
    const m = await h.api('PATCH', '/api/v1/units/unit-1', { maintained: true, maintainedSince: T0 })
    expect(m.body).toMatchObject({ maintained: true, maintainedSince: T0 })
    // 31 days (the packs' month, T7) less a minute: not overdue.
    clock.set(T0 + 31 * DAY - MIN)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h.g.alerts.tick()
    expect(await h.alerts('fault=inspection_overdue')).toEqual([])
    clock.set(T0 + 31 * DAY + 2 * MIN)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h.g.alerts.tick()
    let over = await h.alerts('fault=inspection_overdue')
    expect(over.map((a) => [a.state, a.severity, a.clause, a.raisedAt])).toEqual([['active', 'minor', 'T7', T0 + 31 * DAY + 2 * MIN]])
    expect(over[0]!.source).toContain('T7: seed §14')
    // A day later: the same alert, not a second one, nor a re-trigger.
    clock.advance(DAY)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h.g.alerts.tick()
    over = await h.alerts('fault=inspection_overdue')
    expect(over.map((a) => a.triggers)).toEqual([1])

    // A restart on the same data: still one.
    await h.stop()
    clock.advance(MIN)
    const h2 = await start(clock, h.dir)
    await h2.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h2.g.alerts.tick()
    expect((await h2.alerts('fault=inspection_overdue')).map((a) => [a.id, a.state, a.triggers])).toEqual([[over[0]!.id, 'active', 1]])

    const ins = await h2.api('POST', '/api/v1/units/unit-1/inspections', { by: 'wang', signedBy: 'li (supervisor)', checks: [{ item: 'outdoor unit mounting', ok: true }, { item: 'casing leakage', ok: true, note: '0.2 mA' }] })
    expect(ins.status).toBe(201)
    const cleared = (await h2.api<AlertView & { cleared: { by: string; note: string } }>('GET', `/api/v1/alerts/${over[0]!.id}`)).body
    expect(cleared.state).toBe('cleared')
    expect(cleared.cleared.note).toContain('signed by li (supervisor)')
    // The next one is due 31 days after this inspection.
    const done = clock.now()
    clock.set(done + 31 * DAY - MIN)
    await h2.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h2.g.alerts.tick()
    expect(await h2.alerts('fault=inspection_overdue&state=active')).toEqual([])
    clock.set(done + 31 * DAY + 2 * MIN)
    await h2.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h2.g.alerts.tick()
    expect((await h2.alerts('fault=inspection_overdue&state=active')).map((a) => a.raisedAt)).toEqual([done + 31 * DAY + 2 * MIN])
  })

  it('ending the maintenance contract clears the overdue alert and stops the sweep for the unit', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    await unitInService(h, T0)
    await h.api('PATCH', '/api/v1/units/unit-1', { maintained: true, maintainedSince: T0 })
    clock.set(T0 + 32 * DAY)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h.g.alerts.tick()
    expect((await h.alerts('fault=inspection_overdue&state=active')).length).toBe(1)
    const off = await h.api('PATCH', '/api/v1/units/unit-1', { maintained: false })
    expect(off.body).toMatchObject({ maintained: false, maintainedSince: null })
    const [a] = await h.alerts('fault=inspection_overdue')
    expect(a).toMatchObject({ state: 'cleared', cleared: { note: 'no longer under a maintenance contract' } })
    clock.set(T0 + 90 * DAY)
    await h.send('unit-1', [{ ts: clock.now(), values: { leakage_ma: 0.2 } }])
    h.g.alerts.tick()
    expect(await h.alerts('fault=inspection_overdue&state=active')).toEqual([])
  })

  it('inspections are listed newest first, paged; a bad cursor is refused', async () => {
    const clock = new ManualClock(T0)
    const h = await start(clock)
    await unitInService(h, T0)
    await h.api('PATCH', '/api/v1/units/unit-1', { maintained: true })
    for (let i = 1; i <= 3; i++) {
      clock.set(T0 + i * DAY)
      expect((await h.api('POST', '/api/v1/units/unit-1/inspections', { by: `insp-${i}`, signedBy: 'li', notes: `round ${i}` })).status).toBe(201)
    }
    type Page = { inspections: { by: string; at: number; signedBy: string }[]; next: string | null }
    const p1 = (await h.api<Page>('GET', '/api/v1/units/unit-1/inspections?limit=2')).body
    expect(p1.inspections.map((i) => [i.by, i.at])).toEqual([['insp-3', T0 + 3 * DAY], ['insp-2', T0 + 2 * DAY]])
    const p2 = (await h.api<Page>('GET', `/api/v1/units/unit-1/inspections?limit=2&cursor=${p1.next}`)).body
    expect([p2.inspections.map((i) => i.by), p2.next]).toEqual([['insp-1'], null])
    const bad = await h.api<Err>('GET', '/api/v1/units/unit-1/inspections?cursor=zzz')
    expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringContaining('querystring.cursor')])
  })
})
