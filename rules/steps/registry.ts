/**
 * The step registry: the steps a pack can check, in procedure order, each with the channels
 * it is judged on and the adapter from the gateway's context to its pure evaluator. Adding a
 * step = one entry here plus its evaluator. Lives beside the evaluators so that rules/ owns
 * which channels a step reads (issue 9); the gateway only fetches them and calls evaluate.
 */
import type { MeterAccuracy } from '../meter-accuracy.js'
import type { RulePack } from '../pack-schema.js'
import type { StepResult } from '../result.js'
import { evaluateElectrical } from './electrical.js'
import { evaluateEvacuation } from './evacuation.js'
import { evaluateFactoryCharge } from './factory-charge.js'
import { evaluatePowerTest } from './power-test.js'
import { evaluateTightness } from './tightness.js'
import { evaluateTightnessWindows, type TightnessSummary } from './tightness-summary.js'
import type { SeriesWindow, Visits } from './series-window.js'
import { evaluateTestRun, TEST_RUN_CHANNELS } from './test-run/index.js'
import { siteAtmosphere } from '../site-atmosphere.js'
import type { ChannelRoles } from './test-run/sources.js'
import type { StepWindow } from './series.js'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { InstalledUnit, StepId } from '../../contract/job.js'

/** A step event as the registry needs it (the gateway's StepEvent has more fields). */
export interface StepEventLike {
  step: StepId
  kind: string
  /** When it happened (device/site time), ms. */
  at: number
}

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
  events?: readonly StepEventLike[]
  /** Per device, the role of each of its channels, declared at attachment. */
  roles: ChannelRoles
}

export interface StepEvaluator {
  step: StepId
  /** Channels the step is judged on: only these are read. */
  channels: readonly ChannelName[]
  /** Does the pack check this step at all? */
  checkedBy(pack: RulePack): boolean
  evaluate(pack: RulePack, ctx: StepContext): StepResult
  /** The same judgement from windows and the last summary, touching only what was appended (issue 8). */
  incremental?: IncrementalStep
}

/** What a step keeps between evaluations to be judged incrementally. */
export type StepSummary = TightnessSummary

/** StepContext with windows onto the caller's series instead of arrays (rules/steps/series-window.ts). */
export type WindowStepContext = Omit<StepContext, 'readings'> & { series: Partial<Record<ChannelName, readonly SeriesWindow[]>> }

export interface IncrementalStep {
  /** evaluate()'s result for the windows' readings and the next summary; undefined: use evaluate() (see the step's summary). */
  evaluate(pack: RulePack, ctx: WindowStepContext, prev: StepSummary | undefined, visits: Visits): { result: StepResult; summary: StepSummary; rebuilt: number } | undefined
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
  // The hold's compensation is on absolute pressure: the gauge zero is the site's atmosphere (issue 10).
  {
    ...step('tightness', ['pressure_high_kpag', 'pressure_low_kpag', 'temp_pipe_c'], (input) => evaluateTightness({ ...input, ...tightnessOfUnit(input.unit) })),
    incremental: { evaluate: (pack, ctx, prev, visits) => evaluateTightnessWindows({ ...ctx, params: pack.steps.tightness!, ...tightnessOfUnit(ctx.unit) }, prev, visits) },
  },
  step('evacuation', ['vacuum_micron', 'pressure_low_kpag', 'pressure_high_kpag'], (input) =>
    evaluateEvacuation({ ...input, isolations: (input.events ?? []).filter((e) => e.step === 'evacuation' && e.kind === 'isolate').map((e) => e.at) }),
  ),
  step('electrical', ['insulation_mohm', 'earth_ohm', 'leakage_ma', 'voltage_v'], evaluateElectrical),
  testRun('test_run'),
  testRun('test_run_heating'),
]

function tightnessOfUnit(unit: InstalledUnit) {
  const atm = siteAtmosphere(unit)
  return { designPressureKpaG: unit.designPressureKpaG, atmosphereKpa: atm.kpa, atmosphereBasis: atm.basis }
}

/** A number the installer declared on the marker, or undefined. */
const factNumber = (facts: Record<string, unknown>, key: string) => (typeof facts[key] === 'number' ? facts[key] : undefined)

/**
 * The test run (S1) in cooling, or the heating run of a heat pump: the same evaluator, the
 * unit's own data (nameplate maximum current, ports, metering), the site's atmosphere and
 * the channel roles. A `test_run` marked with fact mode "heating" is judged as heating.
 */
function testRun(id: 'test_run' | 'test_run_heating'): StepEvaluator {
  return {
    step: id,
    channels: TEST_RUN_CHANNELS,
    checkedBy: (pack) => pack.steps[id] !== undefined,
    evaluate: (pack, ctx) => {
      const u = ctx.unit
      const ports = u.ports ?? (pack.ports ? { lowSide: pack.ports.lowSide.value, highSide: pack.ports.highSide.value } : undefined)
      return evaluateTestRun(
        {
          params: pack.steps[id]!,
          ratedCurrentA: u.ratedCurrentA,
          maxCurrentA: u.maxCurrentA,
          refrigerant: u.refrigerant,
          mode: id === 'test_run_heating' || ctx.facts.mode === 'heating' ? 'heating' : 'cooling',
          ports,
          meteringDevice: u.meteringDevice,
          indoorWetBulbC: factNumber(ctx.facts, 'indoorWetBulbC'),
          atmosphere: siteAtmosphere(u),
          roles: ctx.roles,
          window: ctx.window,
          now: ctx.now,
          readings: ctx.readings,
        },
        id,
      )
    },
  }
}
