/**
 * Scenarios of the test run alone (the first firmware-sim scenarios): a 1.5 HP R32 split
 * switched on PRE_ROLL_MS before the test_run start marker, reported by the unit, a clamp
 * meter and a digital manifold. The other steps are never started, so a good run leaves
 * the job incomplete: its test_run step passes, the verdict cannot.
 */
import { COOLING_DEVICES, SPLIT_1_5HP_R32 } from '../devices.js'
import type { DeviceSpec, Expectation, SampleEvent, Scenario, StepFacts, UnitSpec } from '../scenario.js'
import { placeSteps, procedureSpanMs, type ProcedureStep } from '../steps/step.js'
import { testRunStep, type CoolingContext, type CoolingFaults } from '../steps/test-run.js'

export { COOLING_DEVICES, SPLIT_1_5HP_R32 } from '../devices.js'
export type { CoolingFaults, Silence } from '../steps/test-run.js'

export interface CoolingScenarioDef {
  name: string
  description: string
  runMinutes: number
  stopAtMinutes: number
  /** The test_run step's status; the job's verdict follows (testRunOnly). */
  testRun: 'pass' | 'fail'
  faults?: CoolingFaults
  /** Further messages mixed into the run, e.g. malformed ones. */
  extra?: (ctx: CoolingContext) => SampleEvent[]
  /** The unit, devices, pack, step and facts of the run; defaults: the 1.5 HP R32 split on split-ac, cooling. */
  unit?: UnitSpec
  devices?: readonly DeviceSpec[]
  rulePack?: string
  stepId?: 'test_run' | 'test_run_heating'
  facts?: StepFacts
  /** Failed checks the scenario states (e.g. 'test_run.casing_leakage'). */
  failedChecks?: Expectation['failedChecks']
}

/**
 * What a job with only its test run gets: the pack checks every step and the others were
 * never started, so a passing run leaves the verdict incomplete; a failing one fails it.
 */
export function testRunOnly(testRun: 'pass' | 'fail', stepId: 'test_run' | 'test_run_heating' = 'test_run'): Expectation {
  return { verdict: testRun === 'pass' ? 'incomplete' : 'fail', steps: { [stepId]: testRun } }
}

/** A scenario built on the healthy cooling run. */
export function coolingScenario(def: CoolingScenarioDef): Scenario {
  const unit = def.unit ?? SPLIT_1_5HP_R32
  const devices = def.devices ?? COOLING_DEVICES
  const stepId = def.stepId ?? 'test_run'
  const procedure: ProcedureStep[] = [
    {
      step: testRunStep({
        unit,
        stepId,
        devices,
        ...(def.facts ? { facts: def.facts } : {}),
        runMinutes: def.runMinutes,
        stopAtMinutes: def.stopAtMinutes,
        ...(def.faults ? { faults: def.faults } : {}),
        ...(def.extra ? { extra: def.extra } : {}),
      }),
      pauseBeforeMs: 0,
    },
  ]
  return {
    name: def.name,
    description: def.description,
    unit,
    ...(def.rulePack ? { rulePack: def.rulePack } : {}),
    devices,
    expected: { ...testRunOnly(def.testRun, stepId), ...(def.failedChecks ? { failedChecks: def.failedChecks } : {}) },
    durationMs: procedureSpanMs(procedure),
    script: ({ startTs, rng }) => {
      const placed = placeSteps(procedure, startTs, rng)
      return { steps: placed.windows, samples: placed.samples, attributes: [], record: [] }
    },
  }
}
