/**
 * A whole commissioning, in procedure order: the indoor unit's power test before mounting,
 * the factory charge check at unpacking, mounting (no readings), the nitrogen tightness
 * hold, evacuation, the electrical checks, then the 30-minute test run; the installation
 * record is filled in along the way and every meter declares its calibration due date when
 * it connects. The good commissioning passes every step; a fault scenario changes one thing.
 */
import type { Attributes } from '../../contract/telemetry.js'
import { STEP_IDS } from '../../contract/job.js'
import type { InstallationRecord } from '../../rules/record/record-schema.js'
import { COMMISSIONING_DEVICES, COOLING_DEVICES, SPLIT_1_5HP_R32 } from '../devices.js'
import {
  MINUTE_MS,
  type AttributesDeclaration,
  type DeviceRole,
  type Expectation,
  type Scenario,
  type StepStatus,
  type VerdictStatus,
  type VerdictStepId,
} from '../scenario.js'
import { electricalStep, type ElectricalOptions } from '../steps/electrical.js'
import { evacuationStep, type EvacuationOptions } from '../steps/evacuation.js'
import { factoryChargeStep, type FactoryChargeOptions } from '../steps/factory-charge.js'
import { powerTestStep, type PowerTestOptions } from '../steps/power-test.js'
import { placeSteps, procedureSpanMs, type ProcedureStep } from '../steps/step.js'
import { testRunStep } from '../steps/test-run.js'
import { tightnessStep, type TightnessOptions } from '../steps/tightness.js'
import { installationRecord, RECORD_TAIL_MS } from './installation-record.js'

export interface CommissioningDef {
  name: string
  description: string
  expected: Expectation
  powerTest?: PowerTestOptions
  factoryCharge?: FactoryChargeOptions
  tightness?: TightnessOptions
  evacuation?: EvacuationOptions
  electrical?: ElectricalOptions
  /** Fields of the installation record that differ from the good one. */
  record?: InstallationRecord
  /** Days from the start to a meter's calibration due date; default +180 for every meter. */
  calibrationDueDays?: Partial<Record<DeviceRole, number>>
}

/** The test run's devices and the installation tester, which reports only the casing's touch current while the unit runs. */
const TEST_RUN_WITH_TESTER = [
  ...COOLING_DEVICES,
  { ...COMMISSIONING_DEVICES.find((d) => d.role === 'tester')!, channels: ['leakage_ma'] as const },
]

const DAY_MS = 86_400_000
/** What the SIM DM-4 manifold declares about itself (rules/meter-accuracy.ts): a ±0.3 % FS, 6 MPa transducer and ±0.5 K clamps. */
export const MANIFOLD_ACCURACY = { pressureAccuracyPctFs: 0.3, pressureFullScaleKpa: 6000, pressureResolutionKpa: 1, temperatureAccuracyK: 0.5, temperatureResolutionK: 0.1 } as const
const DEFAULT_CALIBRATION_DAYS = 180

/** The good tightness hold: the pipe cools 1 K as the sun leaves it, so only the compensated pressure is flat. */
const SHADED_HOLD: TightnessOptions = { holdWarmingK: -1 }

/** The procedure; the pauses are the technician's work between steps (no readings). */
function procedure(def: CommissioningDef): ProcedureStep[] {
  return [
    // S2: the indoor unit is run before it goes on the wall.
    { step: powerTestStep(def.powerTest), pauseBeforeMs: 0 },
    // S17: then the cartons come off and the factory charges are checked.
    { step: factoryChargeStep(def.factoryCharge), pauseBeforeMs: 3 * MINUTE_MS },
    // Mounting plate, wall hole, outdoor bracket, line set and flares.
    { step: tightnessStep({ ...SHADED_HOLD, ...def.tightness }), pauseBeforeMs: 95 * MINUTE_MS },
    // Venting the nitrogen, connecting the pump and the probe.
    { step: evacuationStep(def.evacuation), pauseBeforeMs: 5 * MINUTE_MS },
    { step: electricalStep(def.electrical), pauseBeforeMs: 3 * MINUTE_MS },
    // Opening the service valves; the unit is then switched on PRE_ROLL_MS before the start marker.
    // S14 (seed §5 ch.5 art.9): the installation tester stays on the casing during the run.
    { step: testRunStep({ unit: SPLIT_1_5HP_R32, runMinutes: 31, stopAtMinutes: 31, devices: TEST_RUN_WITH_TESTER }), pauseBeforeMs: 5 * MINUTE_MS },
  ]
}

/** "2026-05-26": the UTC date `days` after `ts`, as a meter's calibration label states it. */
function dateAfter(ts: number, days: number): string {
  return new Date(ts + days * DAY_MS).toISOString().slice(0, 10)
}

/** Every device declares itself when it connects; meters with their calibration due date. */
function attributes(def: CommissioningDef, startTs: number): AttributesDeclaration[] {
  return COMMISSIONING_DEVICES.map((d, i): AttributesDeclaration => {
    const declared: Attributes = { model: d.model, serial: `SIM-${d.role.toUpperCase()}-${String(1001 + i)}` }
    if (d.kind === 'meter') declared.calibrationDue = dateAfter(startTs, def.calibrationDueDays?.[d.role] ?? DEFAULT_CALIBRATION_DAYS)
    // The manifold states its own accuracy (the gateway's allowed tightness drop uses it).
    if (d.role === 'manifold') Object.assign(declared, MANIFOLD_ACCURACY)
    return { at: startTs, deviceRole: d.role, attributes: declared }
  })
}

export function commissioningScenario(def: CommissioningDef): Scenario {
  const steps = procedure(def)
  return {
    name: def.name,
    description: def.description,
    unit: SPLIT_1_5HP_R32,
    devices: COMMISSIONING_DEVICES,
    expected: def.expected,
    durationMs: procedureSpanMs(steps) + RECORD_TAIL_MS,
    script: ({ startTs, rng }) => {
      const placed = placeSteps(steps, startTs, rng)
      return {
        steps: placed.windows,
        samples: placed.samples,
        attributes: attributes(def, startTs),
        record: installationRecord(placed.windows, SPLIT_1_5HP_R32, def.record),
      }
    },
  }
}

/** Every step the split-ac pack judges, in the verdict's order. */
const ALL_STEPS: readonly VerdictStepId[] = [...STEP_IDS, 'installation_record']

/**
 * A commissioning's expectation: every step passes except those named, and the named
 * checks fail. The overall status is stated, not derived: the scenario says what it means.
 */
export function expectCommissioning(
  verdict: VerdictStatus,
  notPassing: Partial<Record<VerdictStepId, StepStatus>> = {},
  failedChecks: Expectation['failedChecks'] = [],
): Expectation {
  const steps: Partial<Record<VerdictStepId, StepStatus>> = {}
  for (const id of ALL_STEPS) steps[id] = notPassing[id] ?? 'pass'
  return { verdict, steps, failedChecks }
}
