/**
 * The steps a pack can check, in procedure order, each adapted from the gateway's context
 * to its pure evaluator in rules/. Adding a step = one entry here plus its evaluator.
 */
import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import type { RulePack } from '../../rules/pack-schema.js'
import type { StepResult } from '../../rules/result.js'
import { evaluateTestRun } from '../../rules/test-run.js'
import type { InstalledUnit, StepId } from './job.js'
import type { StepWindow } from './step-window.js'

export interface StepContext {
  unit: InstalledUnit
  window: StepWindow
  now: number
  /** What the installer declared on the step's start marker. */
  facts: Record<string, unknown>
  readings: Partial<Record<ChannelName, readonly Reading[]>>
}

export interface StepEvaluator {
  step: StepId
  /** Channels the step is judged on: only these are read. */
  channels: readonly ChannelName[]
  /** Does the pack check this step at all? */
  checkedBy(pack: RulePack): boolean
  evaluate(pack: RulePack, ctx: StepContext): StepResult
}

export const STEP_EVALUATORS: readonly StepEvaluator[] = [
  {
    step: 'test_run',
    channels: ['current_a'],
    checkedBy: (pack) => pack.steps.test_run !== undefined,
    evaluate: (pack, ctx) => {
      return evaluateTestRun({ params: pack.steps.test_run!, ratedCurrentA: ctx.unit.ratedCurrentA, window: ctx.window, now: ctx.now, current: ctx.readings.current_a ?? [] })
    },
  },
]
