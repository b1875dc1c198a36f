/**
 * Whole commissionings end to end: firmware-sim plays every step of the procedure (power
 * test, factory charge, nitrogen hold, evacuation, electrical checks, test run), the
 * installation record and the meters' calibration dates over MQTT and HTTP to a real
 * in-process gateway. The gateway's clock follows device time, so the ~3.7 hours of a
 * commissioning take seconds and every reading counts as live.
 */
import { describe, expect, it } from 'vitest'
import { verdictMismatches } from '../../firmware-sim/expectation.js'
import { getScenario } from '../../firmware-sim/scenarios/index.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { COMMISSIONINGS } from '../firmware-sim/timeline-helpers.js'
import { simulatedSite } from './simulated-site.js'

// 06:00 UTC is 14:00 on site (UTC+8): the whole procedure lies within one site day.
const START = Date.UTC(2026, 10, 27, 6, 0, 0)
const site = simulatedSite(START)
const verdicts = new Map<string, Verdict>()

/** Plays a scenario live once and returns the verdict after it ended. */
async function play(scenario: string): Promise<Verdict> {
  const v = verdicts.get(scenario) ?? (await site.play(scenario, `e2e-${scenario}`))
  verdicts.set(scenario, v)
  return v
}

const step = (v: Verdict, id: string) => {
  const s = v.steps.find((x) => x.id === id)
  if (!s) throw new Error(`no step ${id} in the verdict: ${v.steps.map((x) => x.id).join(', ')}`)
  return s
}
const check = (v: Verdict, stepId: string, id: string) => {
  const c = step(v, stepId).checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${stepId}.${id}: ${step(v, stepId).checks.map((x) => x.id).join(', ')}`)
  return c
}
/** Every step other than `except` passes, so the scenario's fault is the only one. */
const othersPass = (v: Verdict, ...except: string[]) => {
  for (const s of v.steps.filter((x) => !except.includes(x.id))) expect({ step: s.id, status: s.status }).toEqual({ step: s.id, status: 'pass' })
}

describe('whole commissionings through MQTT to the verdict', () => {
  it.each(COMMISSIONINGS)('%s reaches the verdict the scenario states (overall, every step, failing checks)', async (name) => {
    const v = await play(name)
    expect(verdictMismatches(getScenario(name).expected, v)).toEqual([])
  })

  it('commissioning: every step passes, and every measured check shows the readings it is based on', async () => {
    const v = await play('commissioning')
    expect(v.status).toBe('pass')
    expect(v.severity).toBeUndefined()
    expect(v.steps.map((s) => s.id)).toEqual(['power_test', 'factory_charge', 'tightness', 'evacuation', 'electrical', 'test_run', 'installation_record'])
    for (const s of v.steps) {
      expect({ step: s.id, status: s.status }).toEqual({ step: s.id, status: 'pass' })
      for (const c of s.checks) expect({ check: `${s.id}.${c.id}`, status: c.status }).toEqual({ check: `${s.id}.${c.id}`, status: 'pass' })
    }
    // Checks of declarations carry no readings: the breaker/RCD facts and the installation record.
    const declared = new Set(['electrical.dedicated_breaker_rcd', 'electrical.dedicated_circuit'])
    for (const s of v.steps.filter((x) => x.id !== 'installation_record')) {
      for (const c of s.checks.filter((x) => !declared.has(`${s.id}.${x.id}`))) {
        expect(c.evidence, `${s.id}.${c.id} evidence`).toBeDefined()
        expect(c.evidence!.length).toBeGreaterThan(0)
        for (const e of c.evidence!) {
          expect(e.from).toBeGreaterThanOrEqual(START)
          expect(e.to).toBeGreaterThanOrEqual(e.from)
        }
      }
    }
    // The hold passed only because of the compensation: the pipe cooled 1 K and the raw pressure fell ~14 kPa.
    const drop = check(v, 'tightness', 'pressure_drop')
    expect(drop.message).toMatch(/^no leak: compensated drop -?\d+\.\d kPa/)
    expect(Math.abs(drop.measured!)).toBeLessThan(5)
    expect(drop.message).toMatch(/raw drop 1\d\.\d kPa/)
    expect(check(v, 'evacuation', 'decay').measured).toBeLessThanOrEqual(500)
    expect(check(v, 'test_run', 'evidence_live')).toMatchObject({ status: 'pass', measured: 100 })
  })

  it('tightness-leak: the pressure falls at a constant temperature; a critical leak', async () => {
    const v = await play('tightness-leak')
    othersPass(v, 'tightness')
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' })
    const drop = check(v, 'tightness', 'pressure_drop')
    expect(drop).toMatchObject({ status: 'fail', severity: 'critical' })
    // The allowed drop is the meters' expanded uncertainty (testo 557s defaults): ~12.7 kPa at 4.05 MPa(g), 24 °C.
    expect(drop.limit).toBeGreaterThan(12)
    expect(drop.limit).toBeLessThan(13.5)
    expect(drop.measured).toBeGreaterThan(20)
    expect(drop.message).toMatch(/^leak: compensated drop \d+\.\d kPa, limit 1\d\.\d kPa; raw drop 2\d\.\d kPa/)
    // The manifold declared its accuracy in its attributes: the budget uses it and says whose figures they are.
    expect(drop.message).toMatch(/allowed 1\d\.\d kPa = k 2 × u_c \d\.\d\d kPa \(GUM, pressure: e2e-tightness-leak-manifold declared accuracy; probe: e2e-tightness-leak-manifold declared accuracy;/)
    expect(drop.message).toMatch(/transducer ±18 kPa \(0\.3 % of 6000 kPa FS\)/)
    expect(drop.message).toMatch(/pipe 2[34]\.\d → 2[34]\.\d °C/)
    expect(check(v, 'tightness', 'gas_nitrogen').status).toBe('pass')
    expect(check(v, 'tightness', 'hold_duration').status).toBe('pass')
  })

  it('leak-hidden-by-warming: the raw pressure is flat, the compensated drop shows the leak', async () => {
    const v = await play('leak-hidden-by-warming')
    othersPass(v, 'tightness')
    const drop = check(v, 'tightness', 'pressure_drop')
    expect(drop).toMatchObject({ status: 'fail', severity: 'critical' })
    expect(drop.measured).toBeGreaterThan(50)
    expect(drop.message).toMatch(/compensated drop \d+\.\d kPa/)
    const raw = /raw drop (-?\d+\.\d) kPa/.exec(drop.message)
    expect(raw).not.toBeNull()
    expect(Math.abs(Number(raw![1]))).toBeLessThan(5)
    expect(drop.message).toMatch(/pipe 2[34]\.\d → 2[89]\.\d °C/)
  })

  it('evacuation-wet: the rise levels off above 500 microns: moisture', async () => {
    const v = await play('evacuation-wet')
    othersPass(v, 'evacuation')
    const decay = check(v, 'evacuation', 'decay')
    expect(decay).toMatchObject({ status: 'fail', severity: 'major', limit: 500 })
    expect(decay.measured).toBeGreaterThan(1_000)
    expect(decay.message).toMatch(/levelled off/)
    expect(decay.message).toMatch(/moisture/)
    expect(decay.message).not.toMatch(/leak/)
    expect(check(v, 'evacuation', 'vacuum_reached').status).toBe('pass')
  })

  it('evacuation-leak: a steady climb after isolation: a leak', async () => {
    const v = await play('evacuation-leak')
    othersPass(v, 'evacuation')
    const decay = check(v, 'evacuation', 'decay')
    expect(decay).toMatchObject({ status: 'fail', severity: 'critical' })
    expect(decay.message).toMatch(/kept climbing at a steady \d+ microns\/min/)
    expect(decay.message).toMatch(/a leak/)
    expect(decay.message).not.toMatch(/moisture/)
  })

  it('bad-insulation: 0.5 MΩ fails the electrical step, critical', async () => {
    const v = await play('bad-insulation')
    othersPass(v, 'electrical')
    const ins = check(v, 'electrical', 'insulation')
    expect(ins).toMatchObject({ status: 'fail', severity: 'critical', clause: 'S14', limit: 1 })
    expect(ins.measured).toBeGreaterThan(0.45)
    expect(ins.measured).toBeLessThan(0.55)
    expect(ins.message).toMatch(/insulation resistance 0\.\d+ MΩ breaks the limit >= 1 MΩ/)
  })

  it('no-earth: declared without earth and read open circuit: refuse to install, critical', async () => {
    const v = await play('no-earth')
    othersPass(v, 'electrical')
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' })
    const present = check(v, 'electrical', 'earth_present')
    expect(present).toMatchObject({ status: 'fail', severity: 'critical', clause: 'S4' })
    expect(present.message).toMatch(/no earth/)
    expect(present.message).toMatch(/refuse to install/)
    expect(check(v, 'electrical', 'earth_resistance')).toMatchObject({ status: 'fail', severity: 'critical' })
  })

  it('wrong-model: the nameplate differs from the invoice (S3)', async () => {
    const v = await play('wrong-model')
    othersPass(v, 'installation_record')
    const model = check(v, 'installation_record', 'model_match')
    expect(model).toMatchObject({ status: 'fail', severity: 'major', clause: 'S3' })
    expect(model.message).toMatch(/invoice model KFR-35GW\/SIM32 does not match the nameplate KFR-26GW\/SIM32/)
    for (const c of step(v, 'installation_record').checks.filter((x) => x.id !== 'model_match')) expect(c.status).toBe('pass')
  })

  it('uncalibrated-meter: the clamp’s readings are excluded, with its due date, so the runs cannot be shown', async () => {
    const v = await play('uncalibrated-meter')
    othersPass(v, 'power_test', 'test_run')
    const due = new Date(START - 45 * 86_400_000).toISOString().slice(0, 10)
    for (const id of ['power_test', 'test_run']) {
      const cal = check(v, id, 'calibration')
      expect(cal).toMatchObject({ status: 'warn', severity: 'minor' })
      expect(cal.message).toBe(`readings from e2e-uncalibrated-meter-clamp were excluded: calibration due ${due}`)
      expect(cal.measured).toBeGreaterThan(0)
    }
    expect(step(v, 'test_run').status).not.toBe('pass')
    expect(check(v, 'test_run', 'duration')).toMatchObject({ status: 'fail', measured: 0 })
    expect(check(v, 'test_run', 'duration').message).toMatch(/no current readings/)
    expect(check(v, 'power_test', 'powered').status).toBe('fail')
    // The other meters were in calibration: their steps carry no calibration note.
    for (const id of ['factory_charge', 'tightness', 'evacuation', 'electrical']) {
      expect(step(v, id).checks.map((c) => c.id)).not.toContain('calibration')
    }
  })
})
