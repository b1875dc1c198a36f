/** The unit's nameplate design pressure, given when the job is created, caps the tightness test pressure in the verdict. */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ManualClock } from '../../../gateway/clock.js'
import { startApiHarness, type ApiHarness } from '../../helpers/api-harness.js'

let h: ApiHarness
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0)
const clock = new ManualClock(T0)
beforeAll(async () => {
  h = await startApiHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

interface Verdict { rulePack: { id: string }; steps: { id: string; checks: { id: string; message: string }[] }[] }

it('an R290 unit with a 2.3 MPa(g) nameplate is told to hold 2.208 MPa(g) (2.3 × 2.4/2.5), not 4.0', async () => {
  const unit = { model: 'KFR-26GW/R290', invoiceModel: 'KFR-26GW/R290', capacityHp: 1, refrigerant: 'R290', phases: 1, ratedCurrentA: 4.2, type: 'split', designPressureKpaG: 2300 }
  const created = await h.api<{ unit: { designPressureKpaG?: number } }>('POST', '/api/v1/jobs', { id: 'r290-1', rulePack: 'split-r290', unit })
  expect(created.status).toBe(201)
  expect(created.body.unit.designPressureKpaG).toBe(2300)
  expect((await h.api('POST', '/api/v1/jobs/r290-1/steps/tightness/start', { at: T0, facts: { gas: '氮气' } })).status).toBe(201)
  clock.set(T0 + 30_000)
  const v = await h.api<Verdict>('GET', '/api/v1/jobs/r290-1/verdict')
  expect(v.body.rulePack.id).toBe('split-r290')
  const checks = v.body.steps.find((s) => s.id === 'tightness')!.checks
  expect(checks.find((c) => c.id === 'hold_duration')!.message).toBe('hold 0:00 of 10:00: waiting for the test pressure 2.208 MPa(g); no pressure readings')
  expect(checks.find((c) => c.id === 'gas_nitrogen')!.message).toBe('test gas declared as "氮气"')
})

it('refuses a design pressure that is not a positive number of kPa', async () => {
  const unit = { model: 'X', invoiceModel: 'X', capacityHp: 1, refrigerant: 'R290', phases: 1, ratedCurrentA: 4.2, type: 'split', designPressureKpaG: -1 }
  const res = await h.api<{ error: { message: string } }>('POST', '/api/v1/jobs', { id: 'r290-2', rulePack: 'split-r290', unit })
  expect(res.status).toBe(400)
  expect(res.body.error.message).toMatch(/body\.unit\.designPressureKpaG/)
})
