/** The evacuation isolation event through the real HTTP API (fastify inject(), no socket needed): stored, validated, and read by the verdict. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../gateway/clock.js'
import { startApiHarness, type ApiHarness } from '../../helpers/api-harness.js'

let h: ApiHarness
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0)
const clock = new ManualClock(T0)
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

beforeAll(async () => {
  h = await startApiHarness({ clock })
  expect((await h.api('POST', '/api/v1/jobs', { id: 'evac-1', rulePack: 'split-ac', unit })).status).toBe(201)
})
afterAll(async () => {
  await h.close()
})

interface Check { id: string; status: string; message: string }
const decay = async () => {
  const v = await h.api<{ steps: { id: string; checks: Check[] }[] }>('GET', '/api/v1/jobs/evac-1/verdict')
  return v.body.steps.find((s) => s.id === 'evacuation')!.checks.find((c) => c.id === 'decay')!
}

describe('POST /api/v1/jobs/:id/steps/evacuation/isolate', () => {
  it('without it the decay check says "isolation not marked"; with it the decay test runs from the marked time', async () => {
    expect((await h.api('POST', '/api/v1/jobs/evac-1/steps/evacuation/start', { at: T0 })).status).toBe(201)
    clock.set(T0 + 60_000)
    expect(await decay()).toMatchObject({ status: 'pending', message: expect.stringMatching(/^isolation not marked: /) })
    const res = await h.api('POST', '/api/v1/jobs/evac-1/steps/evacuation/isolate', { at: T0 + 30_000 })
    expect(res).toEqual({ status: 201, body: { jobId: 'evac-1', step: 'evacuation', event: 'isolate', at: T0 + 30_000 } })
    // No micron readings: the target was not reached before that isolation, and it says so.
    expect(await decay()).toMatchObject({ status: 'pending', message: 'no decay test: the target 500 microns was not reached before the isolation at 0:30' })
  })
  it('defaults `at` to now, and the start/stop markers still route beside it', async () => {
    clock.set(T0 + 90_000)
    expect((await h.api('POST', '/api/v1/jobs/evac-1/steps/evacuation/isolate', {})).body).toMatchObject({ at: T0 + 90_000 })
    expect((await h.api('POST', '/api/v1/jobs/evac-1/steps/evacuation/stop', { at: T0 + 95_000 })).status).toBe(201)
  })
  it('refuses an unknown job (404) and a bad body (400, naming the field)', async () => {
    const missing = await h.api<{ error: { code: string } }>('POST', '/api/v1/jobs/nope/steps/evacuation/isolate', {})
    expect(missing.status).toBe(404)
    const bad = await h.api<{ error: { code: string; message: string } }>('POST', '/api/v1/jobs/evac-1/steps/evacuation/isolate', { at: 'soon' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/body\.at/)
    const extra = await h.api<{ error: { message: string } }>('POST', '/api/v1/jobs/evac-1/steps/evacuation/isolate', { valve: 'closed' })
    expect(extra.status).toBe(400)
    expect(extra.body.error.message).toMatch(/valve/)
  })
})
