/**
 * Scenarios of issue 10: real units, real meters and the record against the seed. Each
 * states its verdict; test/e2e/field-scenarios.test.ts plays every one through MQTT.
 */
import { COOLING_DEVICES, SPLIT_1_5HP_R32 } from '../devices.js'
import { quantize } from '../prng.js'
import { kpaToPsi } from '../refrigerant.js'
import { MINUTE_MS, type DeviceSpec, type Scenario } from '../scenario.js'
import { electricalStep, SOUND_SUPPLY } from '../steps/electrical.js'
import { placeSteps, procedureSpanMs, type ProcedureStep } from '../steps/step.js'
import { coolingScenario } from './cooling-run.js'

const withRoles = (roles: Record<string, DeviceSpec['roles']>): DeviceSpec[] =>
  COOLING_DEVICES.map((d) => {
    const r = roles[d.role]
    return r ? { ...d, roles: r } : d
  })

/** Rated 4.5 A, nameplate maximum 8.5 A: 6.5 A for the first 10 minutes of pull-down, then ~4.2 A. */
export const inverterPullDown = coolingScenario({
  name: 'inverter-pull-down',
  description: 'An inverter split (rated 4.5 A, nameplate maximum 8.5 A) draws 6.5 A for the first 10 minutes, then ~4.2 A: normal pull-down, passes.',
  unit: { ...SPLIT_1_5HP_R32, ratedCurrentA: 4.5, maxCurrentA: 8.5 },
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
  faults: { currentA: (minute, healthy) => (minute < 0 ? healthy : minute < 10 ? 6.5 : 4.2) },
})

/** The indoor unit reports its own 0.3 A fan current on current_a next to the outdoor clamp. */
export const twoCurrentDevices = coolingScenario({
  name: 'two-current-devices',
  description: "The indoor unit reports its own 0.3 A on current_a beside the clamp's ~5.2 A; attached with roles (compressor, indoor) they are not merged and the run passes.",
  devices: withRoles({ unit: { current_a: 'indoor' }, clamp: { current_a: 'compressor' } }).map((d) =>
    d.role === 'unit' ? { ...d, channels: [...d.channels, 'current_a'] } : d,
  ),
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
  faults: {
    adjust: (role, _minute, values) => {
      if (role === 'unit') values.current_a = 0.3
    },
  },
})

/** A ductless split with only the suction service port: no high-side readings at all. */
export const ductlessNoSubcooling = coolingScenario({
  name: 'ductless-no-subcooling',
  description: 'A ductless split with only the gas-side service port (ports.highSide false): no high-side readings, subcooling is not measurable and the run passes on superheat.',
  unit: { ...SPLIT_1_5HP_R32, ports: { lowSide: true, highSide: false } },
  devices: COOLING_DEVICES.map((d) => (d.role === 'manifold' ? { ...d, channels: ['pressure_low_kpag', 'temp_suction_c'] } : d)),
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
})

/**
 * A capillary unit on a humid day: indoor wet bulb 21.1 °C (70 °F), outdoor 32 °C
 * (89.6 °F): target (3·70 − 80 − 89.6)/2 = 20.2 °F = 11.2 K. The suction line runs 6 K
 * warmer than the healthy run (~11.5 K superheat): above the fixed 3-10 K band, at target.
 */
export const fixedOrificeTarget = coolingScenario({
  name: 'fixed-orifice-target',
  description: 'A capillary split at indoor wet bulb 21.1 °C and 32 °C outdoor runs ~11.5 K superheat: the target from the air conditions is 11.2 K, so it passes where the fixed band would fail.',
  unit: { ...SPLIT_1_5HP_R32, meteringDevice: 'capillary' },
  facts: { indoorWetBulbC: 21.1 },
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
  faults: {
    adjust: (role, minute, values) => {
      const t = values.temp_suction_c
      if (role === 'manifold' && typeof t === 'number' && minute >= 0) values.temp_suction_c = quantize(t + 6, 0.1)
    },
  },
})

/** An installation tester watches the casing during the run; from minute 12 it leaks 6 mA. */
export const leakageDuringTestRun = coolingScenario({
  name: 'leakage-during-test-run',
  description: 'The casing is watched with an installation tester during the run; at minute 12 the touch current jumps to ~6 mA (a chafed wire): S14 says stop at once, critical.',
  devices: [...COOLING_DEVICES, { role: 'tester', kind: 'meter', model: 'SIM IT-5 installation tester', channels: ['leakage_ma'], batch: 1, phaseMs: 600 }],
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'fail',
  failedChecks: ['test_run.casing_leakage'],
  faults: {
    adjust: (role, minute, values) => {
      if (role === 'tester' && minute >= 12) values.leakage_ma = 6
    },
  },
})

/** A heat pump's heating run: the indoor coil warms the air by ~18 K. */
export const heatingRun = coolingScenario({
  name: 'heating-run',
  description: 'A split heat pump on the heat-pump-split pack runs 31 minutes in heating: supply ~18 K above return, judged by the heating band (no cooling ΔT warning).',
  unit: { ...SPLIT_1_5HP_R32, type: 'heat-pump-split', heatPump: true },
  rulePack: 'heat-pump-split',
  stepId: 'test_run_heating',
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
  faults: {
    adjust: (role, minute, values) => {
      const ret = values.temp_return_air_c
      if (role === 'unit' && typeof ret === 'number') values.temp_supply_air_c = quantize(ret + 18 * Math.min(1, (minute + 2) / 4), 0.1)
    },
  },
})

/**
 * A site at 2000 m (ISA 79.5 kPa): the same refrigerant state reads 21.8 kPa higher on the
 * gauges than at sea level; the job's elevation puts the gauge zero back where it is.
 */
export const ALTITUDE_GAUGE_OFFSET_KPA = 101.325 - 79.495
export const altitudeSite = coolingScenario({
  name: 'altitude-site',
  description: 'A job at 2000 m: gauges read ~21.8 kPa higher for the same refrigerant; with siteElevationM on the job the superheat is computed against the ISA 79.5 kPa atmosphere and the run passes.',
  unit: { ...SPLIT_1_5HP_R32, siteElevationM: 2000 },
  runMinutes: 31,
  stopAtMinutes: 31,
  testRun: 'pass',
  faults: {
    adjust: (role, _minute, values) => {
      if (role !== 'manifold') return
      for (const ch of ['pressure_low_kpag', 'pressure_high_kpag'] as const) {
        const v = values[ch]
        if (v && typeof v === 'object') values[ch] = { value: quantize(v.value + kpaToPsi(ALTITUDE_GAUGE_OFFSET_KPA), 0.1), unit: v.unit }
      }
    },
  },
})

/** The electrical step measured twice: 0.4 MΩ (damp windings), dried out, retested at 200 MΩ. */
export const retestKeepsFailure: Scenario = (() => {
  const procedure: ProcedureStep[] = [
    { step: electricalStep({ insulationMohm: 0.4, facts: SOUND_SUPPLY }), pauseBeforeMs: 0 },
    { step: electricalStep({ insulationMohm: 200, facts: SOUND_SUPPLY }), pauseBeforeMs: 20 * MINUTE_MS },
  ]
  return {
    name: 'retest-keeps-failure',
    description: 'Insulation reads 0.4 MΩ; the installer dries the unit and retests at 200 MΩ: the retest decides (pass) and the 0.4 MΩ attempt stays in the verdict.',
    unit: SPLIT_1_5HP_R32,
    devices: [{ role: 'tester', kind: 'meter', model: 'SIM IT-5 installation tester', channels: ['earth_ohm', 'insulation_mohm', 'voltage_v', 'leakage_ma'], batch: 1, phaseMs: 600 }],
    expected: { verdict: 'incomplete', steps: { electrical: 'pass' } },
    durationMs: procedureSpanMs(procedure),
    script: ({ startTs, rng }) => {
      const placed = placeSteps(procedure, startTs, rng)
      return { steps: placed.windows, samples: placed.samples, attributes: [], record: [] }
    },
  }
})()

const photo = (caption: string) => ({ caption, sha256: fakeHash(caption) })
function fakeHash(caption: string): string {
  // A stand-in for the picture's bytes, deterministic: 64 hex digits from the caption.
  let h = 0
  for (const ch of caption) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return h.toString(16).padStart(8, '0').repeat(8)
}

/** S15: photos, location and barcode uploaded, the rest of the record not declared. */
function workOrder(name: string, confirm: boolean): Scenario {
  const uploads = { photos: [photo('indoor unit'), photo('outdoor unit')], location: { lat: 23.1291, lon: 113.2644 }, barcode: '6923456789012' }
  return {
    name,
    description: confirm
      ? 'Photos, location and barcode uploaded, then the work order confirmed with the rest of the record undeclared: what is missing now fails.'
      : 'Photos, location and barcode uploaded, the work order not confirmed: the undeclared record items stay pending.',
    unit: SPLIT_1_5HP_R32,
    devices: [],
    expected: confirm
      ? { verdict: 'fail', steps: { installation_record: 'fail' }, failedChecks: ['installation_record.plate_screws', 'installation_record.customer_signature'] }
      : { verdict: 'incomplete', steps: { installation_record: 'incomplete' } },
    durationMs: 10 * MINUTE_MS,
    script: ({ startTs }) => ({
      steps: [],
      samples: [],
      attributes: [],
      record: [{ at: startTs + 2 * MINUTE_MS, fields: uploads }],
      ...(confirm ? { confirmAt: startTs + 5 * MINUTE_MS } : {}),
    }),
  }
}
export const workOrderUnconfirmed = workOrder('work-order-unconfirmed', false)
export const workOrderConfirmedMissing = workOrder('work-order-confirmed-missing', true)

export const FIELD_SCENARIOS: readonly Scenario[] = [
  inverterPullDown,
  twoCurrentDevices,
  ductlessNoSubcooling,
  fixedOrificeTarget,
  leakageDuringTestRun,
  heatingRun,
  altitudeSite,
  retestKeepsFailure,
  workOrderUnconfirmed,
  workOrderConfirmedMissing,
]
