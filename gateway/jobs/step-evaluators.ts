/**
 * The steps a pack can check, in procedure order, each adapted from the gateway's context
 * to its pure evaluator in rules/. Adding a step = one entry here plus its evaluator.
 */
import type { MeterAccuracy } from '../../rules/meter-accuracy.js'
import type { RulePack } from '../../rules/pack-schema.js'
import type { StepResult } from '../../rules/result.js'
import { evaluateElectrical } from '../../rules/steps/electrical.js'
import { evaluateEvacuation } from '../../rules/steps/evacuation.js'
import { evaluateFactoryCharge } from '../../rules/steps/factory-charge.js'
import { evaluatePowerTest } from '../../rules/steps/power-test.js'
import { evaluateTightness } from '../../rules/steps/tightness.js'
import { evaluateTestRun, TEST_RUN_CHANNELS } from '../../rules/test-run.js'
import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import type { InstalledUnit, StepId } from './job.js'
import type { StepEvent } from './step-event-repository.js'
import type { StepWindow } from './step-window.js'

export interface StepContext {
  unit: InstalledUnit
  window: StepWindow
  now: number
  /** What the installer declared on the step's start marker. */
  facts: Record<string, unknown>
  readings: Partial<Record<ChannelName, readonly Reading[]>>
  /** What each attached meter declared about its accuracy (device attributes). */
  meters?: ReadonlyMap<string, MeterAccuracy>
  /** The job's step events (evacuation isolation). */
  events?: readonly StepEvent[]
}

export interface StepEvaluator {
  step: StepId
  /** Channels the step is judged on: only these are read. */
  channels: readonly ChannelName[]
  /** Does the pack check this step at all? */
  checkedBy(pack: RulePack): boolean
  evaluate(pack: RulePack, ctx: StepContext): StepResult
}

type Steps = RulePack['steps']

/** A step whose evaluator takes the common input: its params plus the context. */
function step<K extends keyof Steps & StepId>(
  id: K,
  channels: readonly ChannelName[],
  evaluate: (input: StepContext & { params: NonNullable<Steps[K]> }) => StepResult,
): StepEvaluator {
  return {
    step: id,
    channels,
    checkedBy: (pack) => pack.steps[id] !== undefined,
    evaluate: (pack, ctx) => evaluate({ ...ctx, params: pack.steps[id]! }),
  }
}

export const STEP_EVALUATORS: readonly StepEvaluator[] = [
  step('power_test', ['current_a'], evaluatePowerTest),
  step('factory_charge', ['pressure_low_kpag', 'pressure_high_kpag'], evaluateFactoryCharge),
  step('tightness', ['pressure_high_kpag', 'pressure_low_kpag', 'temp_pipe_c'], (input) => evaluateTightness({ ...input, designPressureKpaG: input.unit.designPressureKpaG })),
  step('evacuation', ['vacuum_micron', 'pressure_low_kpag', 'pressure_high_kpag'], (input) =>
    evaluateEvacuation({ ...input, isolations: (input.events ?? []).filter((e) => e.step === 'evacuation' && e.kind === 'isolate').map((e) => e.at) }),
  ),
  step('electrical', ['insulation_mohm', 'earth_ohm', 'leakage_ma', 'voltage_v'], evaluateElectrical),
  step('test_run', TEST_RUN_CHANNELS, (input) =>
    evaluateTestRun({ params: input.params, ratedCurrentA: input.unit.ratedCurrentA, refrigerant: input.unit.refrigerant, window: input.window, now: input.now, readings: input.readings }),
  ),
]
