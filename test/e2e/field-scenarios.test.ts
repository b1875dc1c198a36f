/**
 * The issue-10 firmware-sim scenarios end to end: simulated meters and units publish over
 * MQTT with their own credentials to a real gateway; each verdict must be the one the
 * scenario states, and the checks that prove the case must say so.
 */
import { describe, expect, it } from 'vitest'
import { verdictMismatches } from '../../firmware-sim/expectation.js'
import { getScenario } from '../../firmware-sim/scenarios/index.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { simulatedSite } from './simulated-site.js'

const site = simulatedSite(Date.UTC(2026, 10, 30, 8, 0, 0))
const play = async (name: string) => {
  const v = await site.play(name, `fs-${name}`)
  // The scenario's own statement of its verdict (overall, steps, failing checks).
  expect(verdictMismatches(getScenario(name).expected, v)).toEqual([])
  return v
}
const step = (v: Verdict, id: string) => v.steps.find((s) => s.id === id)!
const check = (v: Verdict, s: string, c: string) => step(v, s).checks.find((x) => x.id === c)!

describe('issue-10 scenarios through MQTT to the verdict', () => {
  it('inverter-pull-down: 6.5 A of a 8.5 A maximum (rated 4.5 A) in the first 10 minutes passes', async () => {
    const v = await play('inverter-pull-down')
    expect(check(v, 'test_run', 'current_within_rating')).toMatchObject({ status: 'pass', limit: 8.5 })
    expect(check(v, 'test_run', 'current_within_rating').measured).toBeGreaterThan(6)
  })

  it('two-current-devices: the indoor unit\'s 0.3 A is not merged with the clamp; the run is continuous', async () => {
    const v = await play('two-current-devices')
    expect(check(v, 'test_run', 'duration').measured).toBeGreaterThanOrEqual(1800)
  })

  it('ductless-no-subcooling: no high-side port, subcooling not measurable, the run passes', async () => {
    const v = await play('ductless-no-subcooling')
    expect(check(v, 'test_run', 'subcooling').message).toMatch(/^not measurable: the unit has no high-side/)
    expect(check(v, 'test_run', 'superheat').status).toBe('pass')
  })

  it('fixed-orifice-target: ~11.5 K superheat passes against the 11.2 K target from the air conditions', async () => {
    const v = await play('fixed-orifice-target')
    const sh = check(v, 'test_run', 'superheat')
    expect(sh.status).toBe('pass')
    expect(sh.measured).toBeGreaterThan(10)
    expect(sh.message).toMatch(/capillary unit: target \(3·WB − 80 − DB\)\/2 °F at indoor wet bulb 21\.1 °C/)
  })

  it('leakage-during-test-run: 6 mA on the casing at minute 12 fails critically', async () => {
    const v = await play('leakage-during-test-run')
    expect(check(v, 'test_run', 'casing_leakage')).toMatchObject({ status: 'fail', severity: 'critical', measured: 6 })
    expect(check(v, 'test_run', 'duration').status).toBe('pass')
  })

  it('heating-run: judged by the heating band on the heat-pump pack', async () => {
    const v = await play('heating-run')
    expect(check(v, 'test_run_heating', 'air_delta_t').message).toMatch(/^air ΔT \(heating\) 1[78]\.\d K within 10-25 K/)
    expect(v.rulePack.id).toBe('heat-pump-split')
  })

  it('altitude-site: superheat against the ISA 79.5 kPa atmosphere of a 2000 m site', async () => {
    const v = await play('altitude-site')
    const sh = check(v, 'test_run', 'superheat')
    expect(sh.message).toMatch(/gauge zero: atmosphere 79\.5 kPa \(ISA barometric formula at 2000 m\)/)
    // The healthy run's 5.5 K: the offset the gauges carry at altitude is taken out again
    // (read against sea level the same gauges would give ~0.8 K less).
    expect(sh.measured).toBeGreaterThan(5.1)
    expect(sh.measured).toBeLessThan(5.9)
  })

  it('retest-keeps-failure: the retest decides, the 0.4 MΩ attempt stays in the verdict', async () => {
    const v = await play('retest-keeps-failure')
    const electrical = step(v, 'electrical')
    expect(electrical.attempt).toBe(2)
    const first = electrical.earlierAttempts?.[0]
    expect(first?.status).toBe('fail')
    expect(first?.checks.find((c) => c.id === 'insulation')).toMatchObject({ status: 'fail', severity: 'critical' })
    expect(check(v, 'electrical', 'insulation').status).toBe('pass')
  })

  it('work-order-unconfirmed: undeclared items stay pending', async () => {
    const v = await play('work-order-unconfirmed')
    expect(check(v, 'installation_record', 'plate_screws').status).toBe('pending')
    expect(check(v, 'installation_record', 'photos_location_barcode').status).toBe('pass')
  })

  it('work-order-confirmed-missing: after confirmation what is missing fails', async () => {
    const v = await play('work-order-confirmed-missing')
    expect(check(v, 'installation_record', 'plate_screws').message).toMatch(/not declared, but the work order was confirmed$/)
  })
})
