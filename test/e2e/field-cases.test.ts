/**
 * The field cases of issue 10 end to end: firmware-sim plays each over MQTT and HTTP to a
 * real gateway (its clock following device time), and the verdict must be the one the
 * scenario states, for the reason it states.
 */
import { describe, expect, it } from 'vitest'
import { verdictMismatches } from '../../firmware-sim/expectation.js'
import { FIELD_CASES } from '../../firmware-sim/scenarios/field-cases.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { simulatedSite } from './simulated-site.js'

const site = simulatedSite(Date.UTC(2026, 10, 27, 6, 0, 0))
const verdicts = new Map<string, Verdict>()
async function play(name: string): Promise<Verdict> {
  const v = verdicts.get(name) ?? (await site.play(name, `e2e-${name}`))
  verdicts.set(name, v)
  return v
}
const check = (v: Verdict, step: string, id: string) => {
  const c = v.steps.find((s) => s.id === step)?.checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${step}.${id}`)
  return c
}

describe('issue 10 field cases through MQTT to the verdict', () => {
  it.each(FIELD_CASES.map((s) => s.name))('%s reaches the verdict the scenario states', async (name) => {
    const scenario = FIELD_CASES.find((s) => s.name === name)!
    expect(verdictMismatches(scenario.expected, await play(name))).toEqual([])
  })

  it('vrf-tight-cooling: a 24 h hold cooling 10 K passes on real-gas compensation, after the staged fill', async () => {
    const v = await play('vrf-tight-cooling')
    expect(v.rulePack.id).toBe('vrf-r410a')
    expect(check(v, 'tightness', 'staged_pressurisation')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^staged fill: 0\.30 MPa\(g\) held 3:\d\d, 1\.50 MPa\(g\) held 3:\d\d/) })
    const drop = check(v, 'tightness', 'pressure_drop')
    expect(drop.status).toBe('pass')
    expect(Math.abs(drop.measured!)).toBeLessThan(drop.limit!)
    expect(drop.message).toMatch(/raw drop 1[34]\d\.\d kPa .*pipe (30\.0|29\.9|30\.1) → (20\.0|19\.9|20\.1) °C/)
    expect(check(v, 'tightness', 'hold_duration').measured).toBeGreaterThanOrEqual(86_400)
  })

  it('leak-hidden-by-real-gas: the ~20 kPa leak behind 8 K of warming is a critical leak', async () => {
    const drop = check(await play('leak-hidden-by-real-gas'), 'tightness', 'pressure_drop')
    expect(drop).toMatchObject({ status: 'fail', severity: 'critical' })
    expect(drop.measured).toBeGreaterThan(15)
    expect(drop.measured).toBeLessThan(25)
  })

  it('evacuation-dithering-gauge: a steady level that keeps touching its lowest digit passes from the marked isolation', async () => {
    const d = check(await play('evacuation-dithering-gauge'), 'evacuation', 'decay')
    expect(d).toMatchObject({ status: 'pass', message: expect.stringMatching(/^stayed at or below 500 microns for 20:\d\d after isolation at \d+ microns/) })
  })

  it('evacuation-spike: one 9,000-micron reading is flagged for review, the evacuation still passes', async () => {
    const v = await play('evacuation-spike')
    expect(check(v, 'evacuation', 'implausible_readings')).toMatchObject({ status: 'warn', measured: 1, message: expect.stringMatching(/9000 microns between \d+ and \d+$/) })
    expect(check(v, 'evacuation', 'decay').status).toBe('pass')
    expect(v.status).toBe('pass')
  })

  it('vrf-evacuation-climb: 300 → ~490 microns in the hour fails "no rise in 1 h" as a leak', async () => {
    const v = await play('vrf-evacuation-climb')
    const d = check(v, 'evacuation', 'decay')
    expect(d).toMatchObject({ status: 'fail', severity: 'critical' })
    expect(d.measured).toBeGreaterThan(150)
    expect(d.limit).toBeLessThan(50)
    expect(check(v, 'evacuation', 'evacuation_time')).toMatchObject({ status: 'pass', limit: 7200 })
  })

  it('vrf-evacuation-dry: no rise beyond the gauge accuracy, pumped over 2 h', async () => {
    const v = await play('vrf-evacuation-dry')
    expect(check(v, 'evacuation', 'decay')).toMatchObject({ status: 'pass', message: expect.stringMatching(/^no rise in 1:00:\d\d after isolation/) })
    expect(check(v, 'evacuation', 'evacuation_time').status).toBe('pass')
  })

  it('evacuation-not-isolated: "isolation not marked", pending, never guessed', async () => {
    const v = await play('evacuation-not-isolated')
    expect(check(v, 'evacuation', 'decay')).toMatchObject({ status: 'pending', message: expect.stringMatching(/^isolation not marked: /) })
    expect(v.status).toBe('incomplete')
  })
})
