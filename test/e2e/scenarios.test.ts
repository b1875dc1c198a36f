/**
 * Every firmware-sim scenario end to end: simulated meters and unit publish over MQTT with
 * their own credentials to a real gateway; the verdict must be the one the scenario expects.
 * The gateway's clock follows the scenario's device time, so 30 minutes take milliseconds
 * and the evidence counts as live.
 */
import { describe, expect, it } from 'vitest'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { simulatedSite } from './simulated-site.js'

const site = simulatedSite(Date.UTC(2026, 10, 27, 8, 0, 0))
const play = (scenario: string, live = true) => site.play(scenario, `e2e-${scenario}-${live ? 'live' : 'late'}`, live)

const testRun = (v: Verdict) => v.steps.find((s) => s.id === 'test_run')!
const check = (v: Verdict, id: string) => testRun(v).checks.find((c) => c.id === id)!
/** These scenarios run only the test run: a pass leaves the job incomplete (the other steps were never started). */
const expectTestRun = (v: Verdict, status: 'pass' | 'fail') => {
  expect(testRun(v).status).toBe(status)
  expect(v.status).toBe(status === 'pass' ? 'incomplete' : 'fail')
}

describe('firmware-sim scenarios through MQTT to the verdict', () => {
  it('good: a 30-minute continuous run within the rating passes, all evidence live', async () => {
    const v = await play('good')
    expectTestRun(v, 'pass')
    expect(check(v, 'duration')).toMatchObject({ status: 'pass', limit: 1800 })
    expect(check(v, 'duration').measured).toBeGreaterThanOrEqual(1800)
    expect(check(v, 'current_within_rating').status).toBe('pass')
    expect(check(v, 'evidence_live')).toMatchObject({ status: 'pass', measured: 100 })
  })

  it('short-run: stopped at 25 minutes fails on duration (S1)', async () => {
    const v = await play('short-run')
    expectTestRun(v, 'fail')
    expect(check(v, 'duration')).toMatchObject({ status: 'fail', clause: 'S1', severity: 'critical' })
    expect(check(v, 'duration').measured).toBeLessThan(25 * 60)
  })

  it('gap: a meter silent for 4 minutes breaks the run', async () => {
    const v = await play('gap')
    expectTestRun(v, 'fail')
    expect(check(v, 'duration').status).toBe('fail')
    expect(check(v, 'duration').message).toMatch(/gap/)
    expect(check(v, 'duration').measured).toBeLessThan(20 * 60)
  })

  it('overcurrent: current above the rating fails', async () => {
    const v = await play('overcurrent')
    expectTestRun(v, 'fail')
    expect(check(v, 'current_within_rating')).toMatchObject({ status: 'fail', limit: 7.5 })
    expect(check(v, 'duration').status).toBe('pass')
  })

  it('garbage: malformed messages are quarantined and the good readings still pass', async () => {
    const h = site.harness()
    const before = (await h.api<{ total: number }>('GET', '/api/v1/quarantine')).body.total
    const v = await play('garbage')
    expectTestRun(v, 'pass')
    const q = await h.api<{ total: number; items: { code: string; deviceId: string }[] }>('GET', '/api/v1/quarantine?limit=1000')
    expect(q.body.total - before).toBeGreaterThanOrEqual(7)
    const codes = new Set(q.body.items.filter((i) => i.deviceId.startsWith('e2e-garbage')).map((i) => i.code))
    for (const code of ['GW_ERR_NOT_JSON', 'GW_ERR_SHAPE', 'GW_ERR_UNKNOWN_CHANNEL', 'GW_ERR_BAD_VALUE', 'GW_ERR_OUT_OF_RANGE', 'GW_ERR_TIMESTAMP', 'GW_ERR_UNIT']) {
      expect(codes).toContain(code)
    }
  })

  it('good, but uploaded after the fact: still passes on duration, and the verdict shows it was back-filled', async () => {
    const v = await play('good', false)
    expect(check(v, 'duration').status).toBe('pass')
    expect(check(v, 'evidence_live')).toMatchObject({ status: 'warn', measured: 0 })
    expect(check(v, 'evidence_live').message).toMatch(/back-filled/)
  })
})
