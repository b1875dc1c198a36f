/**
 * The one verdict schema (contract/verdict.ts) describes what the real evaluator produces:
 * every field it emits is in the schema (parsing strips unknown fields, so a field the
 * schema lacks makes the parsed verdict differ), with overrides, earlier attempts,
 * severities and evidence present; and the could-not-evaluate verdict fits it too.
 */
import { describe, expect, it } from 'vitest'
import { CHECK_STATUSES, VERDICT_STATUSES, VerdictOutlineSchema, VerdictSchema } from '../../contract/verdict.js'
import { failedVerdict } from '../../gateway/jobs/evaluation-failure.js'
import { JobReadingCache } from '../../gateway/jobs/job-reading-cache.js'
import { VerdictService } from '../../gateway/jobs/verdict-service.js'
import { overallStatus, stepStatusFromChecks } from '../../rules/result.js'
import { ArrayReadingStore, largeJobContext, largeJobReadings, T0 } from '../jobs/large-job-fixture.js'

const HOLD_S = 1800

async function realVerdict() {
  const readings = largeJobReadings(HOLD_S)
  // A leak on one meter: the drop check fails with a severity and evidence.
  for (const r of readings) if (r.deviceId === 'vrf-a' && r.channel === 'pressure_high_kpag' && r.ts >= T0) r.value -= (200 * (r.ts - T0)) / (HOLD_S * 1000)
  const now = T0 + HOLD_S * 1000 + 60_000
  const base = largeJobContext(now)
  const ctx = {
    ...base,
    // Tightness restarted once (an earlier attempt), then stopped; a reviewer overrides one check.
    markers: [
      ...base.markers,
      { step: 'tightness' as const, action: 'start' as const, at: T0 - 300_000, receivedAt: T0 - 300_000, facts: { gas: 'nitrogen' } },
      { step: 'tightness' as const, action: 'stop' as const, at: T0 + HOLD_S * 1000, receivedAt: now, facts: {} },
    ],
    overrides: [{ step: 'tightness', check: 'hold_duration', status: 'warn' as const, reason: 'the hold was long enough on site', by: 'qa-1', at: now }],
  }
  const service = new VerdictService({ cache: new JobReadingCache(new ArrayReadingStore(readings)), siteUtcOffsetMinutes: 480 })
  return service.verdict(ctx)
}

describe('the verdict schema', () => {
  it('parses a verdict of the real evaluator without losing a field', async () => {
    const v = await realVerdict()
    const tightness = v.steps.find((s) => s.id === 'tightness')!
    // The verdict exercises the optional parts of the schema.
    expect(tightness.earlierAttempts).toHaveLength(1)
    expect(tightness.checks.some((c) => c.override?.status === 'warn')).toBe(true)
    expect(tightness.checks.some((c) => c.status === 'fail' && c.severity !== undefined && (c.evidence?.length ?? 0) > 0)).toBe(true)
    const parsed = VerdictSchema.parse(v)
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(JSON.parse(JSON.stringify(v)))
  })

  it('refuses a status outside the contract', async () => {
    const v = await realVerdict()
    expect(VerdictSchema.safeParse({ ...v, status: 'passed' }).success).toBe(false)
    const badCheck = { ...v, steps: [{ ...v.steps[0]!, checks: [{ id: 'x', status: 'ok', message: 'm' }] }] }
    expect(VerdictSchema.safeParse(badCheck).success).toBe(false)
  })

  it("parses the could-not-evaluate verdict", () => {
    const v = failedVerdict('j1', { id: 'p', version: '1' }, 5, new Error('boom'))
    expect(VerdictSchema.parse(v)).toEqual(v)
  })

  it('lets a client read a verdict with a status and a field it does not know', async () => {
    const v = await realVerdict()
    const newer = { ...v, status: 'on_hold', signedBy: 'x', steps: v.steps.map((s) => ({ ...s, status: 'on_hold' })) }
    const parsed = VerdictOutlineSchema.parse(JSON.parse(JSON.stringify(newer)))
    expect(parsed.status).toBe('on_hold')
    expect(parsed.signedBy).toBe('x')
    expect(parsed.steps.map((s) => s.id)).toEqual(v.steps.map((s) => s.id))
  })

  it('lists exactly the statuses the roll-ups produce', () => {
    const check = (status: (typeof CHECK_STATUSES)[number]) => ({ id: 'c', status, message: 'm' })
    const seen = new Set<string>()
    for (const status of CHECK_STATUSES) for (const running of [false, true]) seen.add(stepStatusFromChecks([check(status)], running))
    seen.add(stepStatusFromChecks([], false))
    expect([...seen].sort()).toEqual(['fail', 'in_progress', 'incomplete', 'pass'])
    expect([...VERDICT_STATUSES].sort()).toEqual(['fail', 'in_progress', 'incomplete', 'pass'])
    expect(overallStatus([])).toBe('incomplete')
  })
})
