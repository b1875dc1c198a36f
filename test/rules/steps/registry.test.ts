/**
 * The step registry (rules/steps/registry.ts): which steps a pack can check, in procedure
 * order, the channels each is judged on (the gateway fetches only these), and how the
 * context reaches the evaluator. Channel lists are written out here, not read from the code.
 */
import { describe, expect, it } from 'vitest'
import type { InstalledUnit } from '../../../contract/job.js'
import { defaultPacksDir, loadRulePacks } from '../../../gateway/packs/load-packs.js'
import type { RulePack } from '../../../rules/pack-schema.js'
import { STEP_EVALUATORS, type StepContext } from '../../../rules/steps/registry.js'
import { check } from '../helpers/checks.js'

const TEST_RUN = ['current_a', 'leakage_ma', 'temp_outdoor_c', 'temp_supply_air_c', 'temp_return_air_c', 'temp_suction_c', 'pressure_low_kpag', 'temp_liquid_c', 'pressure_high_kpag']
const splitAc = loadRulePacks(defaultPacksDir()).get('split-ac')!
const UNIT: InstalledUnit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 6 }
const T0 = Date.UTC(2025, 6, 1, 10, 0, 0)
const entry = (id: string) => STEP_EVALUATORS.find((s) => s.step === id)!
const ctx = (facts: Record<string, unknown>): StepContext => ({ unit: UNIT, window: { start: T0, stop: T0 + 1_800_000 }, now: T0 + 1_800_000, facts, readings: {}, roles: {} })

describe('step registry', () => {
  it('lists the steps in procedure order, each with the channels it is judged on', () => {
    expect(STEP_EVALUATORS.map((s) => [s.step, [...s.channels]])).toEqual([
      ['power_test', ['current_a']],
      ['factory_charge', ['pressure_low_kpag', 'pressure_high_kpag']],
      ['tightness', ['pressure_high_kpag', 'pressure_low_kpag', 'temp_pipe_c']],
      ['evacuation', ['vacuum_micron', 'pressure_low_kpag', 'pressure_high_kpag']],
      ['electrical', ['insulation_mohm', 'earth_ohm', 'leakage_ma', 'voltage_v']],
      ['test_run', TEST_RUN],
      ['test_run_heating', TEST_RUN],
    ])
  })

  it('a step is checked only when the pack has it', () => {
    const only: RulePack = { ...splitAc, steps: { power_test: splitAc.steps.power_test } }
    expect(STEP_EVALUATORS.filter((s) => s.checkedBy(only)).map((s) => s.step)).toEqual(['power_test'])
  })

  it('hands the evaluator its own step id and the pack params', () => {
    const result = entry('power_test').evaluate(splitAc, ctx({}))
    expect(result.id).toBe('power_test')
    expect(check(result, 'powered').limit).toBe(splitAc.steps.power_test!.minRunS.value)
  })

  it('a test_run marked with fact mode "heating" is judged as a heating run', () => {
    const heating = check(entry('test_run').evaluate(splitAc, ctx({ mode: 'heating' })), 'superheat')
    expect(heating.message).toBe('not measurable: heating run: charge is judged in the cooling run (not applicable; not counted against the run)')
    const cooling = check(entry('test_run').evaluate(splitAc, ctx({})), 'superheat')
    expect(cooling.message).not.toMatch(/heating run/)
  })
})
