/**
 * The named scenarios `npm run sim -- --scenario <name>` plays. Each states the verdict
 * the gateway should reach (overall and per step), so a run doubles as an end-to-end check
 * of the rules.
 */
import type { Scenario } from '../scenario.js'
import { leakHiddenBy } from '../steps/tightness.js'
import { SOUND_SUPPLY } from '../steps/electrical.js'
import { commissioningScenario, expectCommissioning } from './commissioning.js'
import { coolingScenario } from './cooling-run.js'
import { FIELD_CASES } from './field-cases.js'
import { FIELD_SCENARIOS } from './field.js'
import { malformedMessages } from './malformed-messages.js'

// --- The test run alone: the other steps are never started, so the job stays incomplete at best.

const good = coolingScenario({
  name: 'good',
  description:
    'A healthy 31-minute test run: 5.2 A of 7.5 A rated, supply air ~13 °C, return ~26 °C, ' +
    'low side ~0.9 MPa(g) and high side ~2.55 MPa(g) (R32, sent in psig).',
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
})

const shortRun = coolingScenario({
  name: 'short-run',
  description: 'The technician stops the test run after 25 minutes; S1 asks for at least 30.',
  runMinutes: 25,
  stopAtMinutes: 25,
  testRun: 'fail',
})

const gap = coolingScenario({
  name: 'gap',
  description:
    'A 34-minute run in which the clamp meter is silent from minute 14 to 18: the longest ' +
    'continuous evidence of running is ~16 minutes.',
  runMinutes: 34,
  stopAtMinutes: 34,
  testRun: 'fail',
  faults: { silences: [{ role: 'clamp', fromMinute: 14, toMinute: 18 }] },
})

const overcurrent = coolingScenario({
  name: 'overcurrent',
  description: 'From minute 5 the current climbs over 2 minutes to ~1.3x the rated 7.5 A and stays there.',
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'fail',
  faults: {
    currentA: (minute, healthy, unit) =>
      minute < 5 ? healthy : healthy + (1.3 * unit.ratedCurrentA - healthy) * Math.min(1, (minute - 5) / 2),
  },
})

const garbage = coolingScenario({
  name: 'garbage',
  description:
    'The good run with one malformed message of each kind mixed in (not JSON, wrong shape, ' +
    'unknown channel, "NaN", current 1e9 A, a timestamp a day ahead, an unknown unit); the ' +
    'good readings still pass.',
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
  extra: (ctx) => malformedMessages(ctx.runStartTs, 2, 4),
})

// --- Whole commissionings: every step in order, the installation record, calibrated meters.

const commissioning = commissioningScenario({
  name: 'commissioning',
  description:
    'The whole procedure done right: power test, factory charges, nitrogen hold at 4.05 MPa(g) ' +
    '(pipe cools 1 K: flat once compensated), evacuation to ~260 microns holding 20 min, sound ' +
    'electrics, the 31-minute test run, a complete installation record.',
  expected: expectCommissioning('pass'),
})

const HOLD_MIN = 12
const tightnessLeak = commissioningScenario({
  name: 'tightness-leak',
  description: 'A flare leaks during the nitrogen hold: 2 kPa/min at a constant 24 °C pipe, 24 kPa lost in 12 minutes.',
  tightness: { holdWarmingK: 0, leakKpaPerMin: 2, holdMinutes: HOLD_MIN },
  expected: expectCommissioning('fail', { tightness: 'fail' }, ['tightness.pressure_drop']),
})

const leakHiddenByWarming = commissioningScenario({
  name: 'leak-hidden-by-warming',
  description:
    'The sun warms the pipe 5 K during the hold while a flare leaks just as fast: the raw pressure ' +
    'stays flat, the temperature-compensated drop (~77 kPa, real nitrogen) shows the leak.',
  tightness: { holdWarmingK: 5, leakKpaPerMin: leakHiddenBy(5, HOLD_MIN, 4050, 24), holdMinutes: HOLD_MIN },
  expected: expectCommissioning('fail', { tightness: 'fail' }, ['tightness.pressure_drop']),
})

const evacuationWet = commissioningScenario({
  name: 'evacuation-wet',
  description:
    'Moisture in the line set: a slow pump-down to ~460 microns, then after isolation the level ' +
    'rises fast and levels off near 1,500 microns (water boiling off), above the 500 limit.',
  evacuation: { pumpDownMinutes: 32, outgasMicron: 9_000, outgasTauMin: 9, rise: (m) => 1_100 * (1 - Math.exp(-m / 3)) },
  expected: expectCommissioning('fail', { evacuation: 'fail' }, ['evacuation.decay']),
})

const evacuationLeak = commissioningScenario({
  name: 'evacuation-leak',
  description:
    'A fitting that only leaks under vacuum: pump-down to ~360 microns, then after isolation a ' +
    'steady climb of 55 microns/min, past 500 within 3 minutes.',
  evacuation: { floorMicron: 300, rise: (m) => 55 * m },
  expected: expectCommissioning('fail', { evacuation: 'fail' }, ['evacuation.decay']),
})

const badInsulation = commissioningScenario({
  name: 'bad-insulation',
  description: 'The insulation test reads 0.5 MΩ to earth (damp compressor windings), below the 1 MΩ minimum.',
  electrical: { insulationMohm: 0.5 },
  expected: expectCommissioning('fail', { electrical: 'fail' }, ['electrical.insulation']),
})

const noEarth = commissioningScenario({
  name: 'no-earth',
  description:
    'An old flat with no earth wire: the installer declares earth false and the tester reads over ' +
    'range (open circuit); S4 says refuse to install or power.',
  electrical: { facts: { ...SOUND_SUPPLY, earth: false }, earthOhm: Infinity },
  expected: expectCommissioning('fail', { electrical: 'fail' }, ['electrical.earth_present', 'electrical.earth_resistance']),
})

const wrongModel = commissioningScenario({
  name: 'wrong-model',
  description: 'The nameplate reads KFR-26GW/SIM32 (a 1 HP unit) while the invoice says KFR-35GW/SIM32 (S3).',
  record: { nameplateModel: 'KFR-26GW/SIM32' },
  expected: expectCommissioning('fail', { installation_record: 'fail' }, ['installation_record.model_match']),
})

const uncalibratedMeter = commissioningScenario({
  name: 'uncalibrated-meter',
  description:
    'The clamp meter declares a calibration due date 45 days before the job: its current readings ' +
    'are excluded, so neither the power test nor the 30-minute run can be shown.',
  calibrationDueDays: { clamp: -45 },
  expected: expectCommissioning('fail', { power_test: 'fail', test_run: 'fail' }, ['power_test.powered', 'test_run.duration']),
})

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [
    good,
    shortRun,
    gap,
    overcurrent,
    garbage,
    commissioning,
    tightnessLeak,
    leakHiddenByWarming,
    evacuationWet,
    evacuationLeak,
    badInsulation,
    noEarth,
    wrongModel,
    uncalibratedMeter,
    ...FIELD_CASES,
    ...FIELD_SCENARIOS,
  ].map((s) => [s.name, s]),
)

export function scenarioNames(): string[] {
  return [...SCENARIOS.keys()]
}

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}"; known scenarios: ${scenarioNames().join(', ')}`)
    this.name = 'UnknownScenarioError'
  }
}

export function getScenario(name: string): Scenario {
  const s = SCENARIOS.get(name)
  if (!s) throw new UnknownScenarioError(name)
  return s
}
