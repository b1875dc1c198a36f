/**
 * A job whose evaluation fails is contained to that job (issue 8, "Crashes"): its verdict
 * says so with GW_ERR_EVALUATION_FAILED, and every other job and device is served. Before,
 * the rejection broke the monitor's shared chain: the process ended on the unhandled
 * rejection, and every other job's verdict answered 500.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

/** Edits a job's stored row behind the gateway's back, as a damaged disk or a bad migration would. */
function corrupt(jobId: string, edit: (pack: string) => string): void {
  const db = new Database(join(h.dataDir, 'gateway.db'))
  try {
    const row = db.prepare('SELECT pack FROM jobs WHERE id = ?').get(jobId) as { pack: string }
    db.prepare('UPDATE jobs SET pack = ? WHERE id = ?').run(edit(row.pack), jobId)
  } finally {
    db.close()
  }
}

async function job(id: string, deviceId: string): Promise<void> {
  expect((await h.api('POST', '/api/v1/jobs', { id, rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await h.api('POST', `/api/v1/jobs/${id}/devices`, { deviceId, at: T0 })).status).toBe(201)
  expect((await h.api('POST', `/api/v1/jobs/${id}/steps/test_run/start`, { at: T0 })).status).toBe(201)
}

const testRun = (v: Verdict) => v.steps.find((s) => s.id === 'test_run')!

describe('a failing job evaluation', () => {
  it('shows in that job only: its verdict says it failed; other jobs get verdicts and devices are acknowledged', async () => {
    const goodSecret = await h.register('ct-good')
    await h.register('ct-bad')
    await job('ct-good-job', 'ct-good')
    await job('ct-bad-job', 'ct-bad')
    corrupt('ct-bad-job', (pack) => pack.slice(0, pack.length / 2)) // truncated JSON
    // A marker makes the monitor evaluate the bad job in the background (where a rejection used to end the process).
    expect((await h.api('POST', '/api/v1/jobs/ct-bad-job/steps/electrical/start', { at: T0 })).status).toBe(201)

    const bad = await h.api<Verdict>('GET', '/api/v1/jobs/ct-bad-job/verdict')
    expect(bad.status).toBe(200)
    expect(bad.body).toMatchObject({ jobId: 'ct-bad-job', status: 'incomplete', rulePack: { id: 'split-ac' }, error: { code: 'GW_ERR_EVALUATION_FAILED' } })
    expect(bad.body.error!.message).toMatch(/could not evaluate this job \(SyntaxError: /)

    const device = await h.connect('ct-good', goodSecret)
    clock.set(T0 + 60_000)
    await device.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 + 60_000, values: { current_a: 6 } }), { qos: 1 })
    await h.gateway.monitor!.settled()
    const good = await h.api<Verdict>('GET', '/api/v1/jobs/ct-good-job/verdict')
    expect(good.status).toBe(200)
    expect(good.body.error).toBeUndefined()
    expect(testRun(good.body).status).toBe('in_progress')
    expect((await h.api('GET', '/api/v1/jobs/ct-good-job/readings?channel=current_a')).body).toMatchObject({ points: [[T0 + 60_000, 6]] })
    expect(h.gateway.monitor!.stats().failures).toBeGreaterThanOrEqual(1)
    // With the admin token /healthz has the details (docs/operations.md).
    const health = await h.api<{ jobs: Record<string, number> }>('GET', '/healthz')
    expect(health.status).toBe(200)
    // The monitor's counters are on /healthz: how many evaluations, how long, how much is cached.
    expect(health.body.jobs).toMatchObject({ evaluations: expect.any(Number), failures: expect.any(Number), lastEvaluationMs: expect.any(Number), cachedReadings: expect.any(Number) })
  })

  it('an evaluator that throws fails its own step; the job\'s other steps are still judged', async () => {
    const secret = await h.register('ct-step')
    await job('ct-step-job', 'ct-step')
    // Valid JSON, but the tightness step's parameters are gone: its evaluator throws a TypeError.
    corrupt('ct-step-job', (pack) => {
      const p = JSON.parse(pack) as { steps: Record<string, unknown> }
      p.steps['tightness'] = {}
      return JSON.stringify(p)
    })
    expect((await h.api('POST', '/api/v1/jobs/ct-step-job/steps/tightness/start', { at: T0, facts: { gas: 'nitrogen' } })).status).toBe(201)
    const device = await h.connect('ct-step', secret)
    await device.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 + 60_000, values: { current_a: 6, pressure_high_kpag: 4000 } }), { qos: 1 })
    await h.gateway.monitor!.settled()
    const v = (await h.api<Verdict>('GET', '/api/v1/jobs/ct-step-job/verdict')).body
    const tightness = v.steps.find((s) => s.id === 'tightness')!
    expect(tightness).toMatchObject({ status: 'incomplete', checks: [{ id: 'evaluation', status: 'pending' }] })
    expect(tightness.checks[0]!.message).toMatch(/^GW_ERR_EVALUATION_FAILED: the gateway could not evaluate this step \(TypeError: /)
    expect(testRun(v).status).toBe('in_progress')
    expect(v.error).toBeUndefined()
  })
})
