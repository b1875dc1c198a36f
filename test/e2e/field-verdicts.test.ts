/**
 * Issue 10 through the running gateway (real broker over TCP, mqtt.js clients, SQLite):
 * channel roles declared at attachment, every step attempt kept, the work-order
 * confirmation (S15) and the site's elevation on the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
type Publisher = { publishAsync: (t: string, p: string, o: { qos: 1 }) => Promise<unknown> }

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

const publish = (c: Publisher, ts: number, values: Record<string, number>) => c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values }), { qos: 1 })
async function verdict(id: string): Promise<Verdict> {
  await h.gateway.monitor!.settled()
  const res = await h.api<Verdict>('GET', `/api/v1/jobs/${id}/verdict`)
  expect(res.status).toBe(200)
  return res.body
}
const step = (v: Verdict, id: string) => v.steps.find((s) => s.id === id)!
const check = (v: Verdict, s: string, c: string) => step(v, s).checks.find((x) => x.id === c)!

describe('channel roles: the compressor clamp and the indoor unit both report current_a', () => {
  it('with roles declared at attachment the 30-minute run passes on the clamp alone', async () => {
    const clampSecret = await h.register('fv-clamp')
    const indoorSecret = await h.register('fv-indoor', 'unit')
    expect((await h.api('POST', '/api/v1/jobs', { id: 'fv-roles', rulePack: 'split-ac', unit })).status).toBe(201)
    const attached = await h.api<{ devices: { deviceId: string; roles?: Record<string, string> }[] }>('POST', '/api/v1/jobs/fv-roles/devices', {
      deviceId: 'fv-clamp',
      at: T0,
      roles: { current_a: 'compressor' },
    })
    expect(attached.body.devices).toEqual([{ deviceId: 'fv-clamp', attachedAt: T0, detachedAt: null, roles: { current_a: 'compressor' } }])
    await h.api('POST', '/api/v1/jobs/fv-roles/devices', { deviceId: 'fv-indoor', at: T0, roles: { current_a: 'indoor' } })
    await h.api('POST', '/api/v1/jobs/fv-roles/steps/test_run/start', { at: T0 })
    const clamp = await h.connect('fv-clamp', clampSecret)
    const indoor = await h.connect('fv-indoor', indoorSecret)
    for (let ts = T0; ts <= T0 + 31 * 60_000; ts += 10_000) {
      clock.set(ts)
      await publish(clamp, ts, { current_a: 5.1 })
      await publish(indoor, ts + 3000, { current_a: 0.3 })
    }
    await h.api('POST', '/api/v1/jobs/fv-roles/steps/test_run/stop', { at: T0 + 31 * 60_000 })
    const v = await verdict('fv-roles')
    expect(check(v, 'test_run', 'duration')).toMatchObject({ status: 'pass', measured: 1860 })
    expect(check(v, 'test_run', 'current_within_rating')).toMatchObject({ status: 'pass', measured: 5.1 })
  })

  it('a role that is not a role name is refused with what was wrong', async () => {
    const res = await h.api<{ error: { message: string } }>('POST', '/api/v1/jobs/fv-roles/devices', { deviceId: 'fv-clamp', roles: { current_a: 'Compressor!' } })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/roles.*current_a.*must be a lower-case role name/)
  })
})

describe('a retest keeps the earlier attempt', () => {
  it('a 0.4 MΩ insulation failure stays visible after the retest passes; the last attempt decides', async () => {
    const secret = await h.register('fv-tester')
    await h.api('POST', '/api/v1/jobs', { id: 'fv-retest', rulePack: 'split-ac', unit })
    await h.api('POST', '/api/v1/jobs/fv-retest/devices', { deviceId: 'fv-tester', at: T0 })
    const tester = await h.connect('fv-tester', secret)
    const facts = { earth: true, dedicatedCircuit: true }
    const t1 = T0 + 40 * 60_000
    clock.set(t1 + 5 * 60_000)
    await h.api('POST', '/api/v1/jobs/fv-retest/steps/electrical/start', { at: t1, facts })
    await publish(tester, t1 + 60_000, { insulation_mohm: 0.4, earth_ohm: 0.6, leakage_ma: 0.2, voltage_v: 223 })
    await h.api('POST', '/api/v1/jobs/fv-retest/steps/electrical/stop', { at: t1 + 2 * 60_000 })
    const failed = await verdict('fv-retest')
    expect(step(failed, 'electrical').status).toBe('fail')

    const t2 = t1 + 3 * 60_000
    await h.api('POST', '/api/v1/jobs/fv-retest/steps/electrical/start', { at: t2, facts })
    await publish(tester, t2 + 60_000, { insulation_mohm: 200, earth_ohm: 0.6, leakage_ma: 0.2, voltage_v: 223 })
    await h.api('POST', '/api/v1/jobs/fv-retest/steps/electrical/stop', { at: t2 + 2 * 60_000 })
    const v = await verdict('fv-retest')
    const electrical = step(v, 'electrical') as Verdict['steps'][number]
    expect(electrical.status).toBe('pass')
    expect(electrical.attempt).toBe(2)
    expect(check(v, 'electrical', 'insulation')).toMatchObject({ status: 'pass', measured: 200 })
    expect(electrical.earlierAttempts).toHaveLength(1)
    const first = electrical.earlierAttempts![0]!
    expect(first).toMatchObject({ attempt: 1, start: t1, stop: t1 + 2 * 60_000, restarted: false, status: 'fail' })
    expect(first.checks.find((c) => c.id === 'insulation')).toMatchObject({ status: 'fail', severity: 'critical', measured: 0.4 })
  })
})

describe('S15: confirm the work order after photos, location and barcode', () => {
  it('confirming is refused until the uploads are in; after it, undeclared items fail instead of pending', async () => {
    await h.api('POST', '/api/v1/jobs', { id: 'fv-order', rulePack: 'split-ac', unit })
    const before = await verdict('fv-order')
    expect(check(before, 'installation_record', 'plate_screws').status).toBe('pending')

    const refused = await h.api<{ error: { code: string; message: string } }>('POST', '/api/v1/jobs/fv-order/work-order/confirm', { by: 'installer 7' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toBe('work order cannot be confirmed yet: upload photos (0 of 2), location, barcode scan first (S15: seed §5 ch.2 art.11, upload then confirm)')

    const photo = (caption: string) => ({ sha256: 'b'.repeat(64), caption })
    await h.api('PATCH', '/api/v1/jobs/fv-order/record', { photos: [photo('indoor'), photo('outdoor')], location: { lat: 23.1, lon: 113.3 }, barcode: '6923456789012' })
    clock.set(T0 + 3 * 3_600_000)
    const ok = await h.api<{ confirmedAt: number; by: string }>('POST', '/api/v1/jobs/fv-order/work-order/confirm', { by: 'installer 7' })
    expect(ok).toEqual({ status: 201, body: { jobId: 'fv-order', confirmedAt: T0 + 3 * 3_600_000, by: 'installer 7' } })
    const again = await h.api('POST', '/api/v1/jobs/fv-order/work-order/confirm', {})
    expect(again).toEqual({ status: 200, body: ok.body })

    const after = await verdict('fv-order')
    expect(check(after, 'installation_record', 'plate_screws')).toMatchObject({ status: 'fail', severity: 'critical', message: 'wall material and mounting plate screw count not declared, but the work order was confirmed' })
    expect(check(after, 'installation_record', 'photos_location_barcode').status).toBe('pass')
    expect(check(after, 'installation_record', 'customer_signature')).toMatchObject({ status: 'fail', severity: 'minor' })
    expect(step(after, 'installation_record').status).toBe('fail')
  })
})

describe('the site elevation is the gauge zero of the saturation temperatures', () => {
  it('a job at 2000 m says so in its superheat result', async () => {
    const secret = await h.register('fv-manifold')
    await h.api('POST', '/api/v1/jobs', { id: 'fv-alt', rulePack: 'split-ac', unit: { ...unit, siteElevationM: 2000 } })
    await h.api('POST', '/api/v1/jobs/fv-alt/devices', { deviceId: 'fv-manifold', at: T0 })
    await h.api('POST', '/api/v1/jobs/fv-alt/steps/test_run/start', { at: T0 })
    const m = await h.connect('fv-manifold', secret)
    for (let ts = T0; ts <= T0 + 31 * 60_000; ts += 15_000) {
      clock.set(ts)
      // 871.95 kPa(g) + 79.50 kPa (ISA at 2000 m) = 951.45 kPa abs: the R32 5 °C dew point.
      await publish(m, ts, { current_a: 5, pressure_low_kpag: 871.95, temp_suction_c: 11 })
    }
    await h.api('POST', '/api/v1/jobs/fv-alt/steps/test_run/stop', { at: T0 + 31 * 60_000 })
    const sh = check(await verdict('fv-alt'), 'test_run', 'superheat')
    expect(sh).toMatchObject({ status: 'pass', measured: 6 })
    expect(sh.message).toMatch(/gauge zero: atmosphere 79\.5 kPa \(ISA barometric formula at 2000 m\)/)
  })
})
