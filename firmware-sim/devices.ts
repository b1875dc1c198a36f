/**
 * The unit on the job and the devices on site. Every device samples on its own clock (its
 * phase), so two meters never report at the same instant.
 */
import type { DeviceRole, DeviceSpec, UnitSpec } from './scenario.js'

export const SPLIT_1_5HP_R32: UnitSpec = {
  model: 'KFR-35GW/SIM32',
  invoiceModel: 'KFR-35GW/SIM32', // S3: invoice matches the nameplate
  capacityHp: 1.5,
  refrigerant: 'R32',
  phases: 1,
  ratedCurrentA: 7.5,
  type: 'split',
  chargeKg: 0.75, // R32 factory charge of a 1.5 HP split: below m1 = 1.228 kg, no room-area limit (IEC 60335-2-40 GG.2)
}

const UNIT: DeviceSpec = {
  role: 'unit',
  kind: 'unit',
  model: 'KFR-35GW/SIM32',
  // The indoor unit's own thermistors; its firmware buffers two samples per publish.
  channels: ['temp_return_air_c', 'temp_supply_air_c', 'temp_outdoor_c'],
  batch: 2,
  phaseMs: 0,
}

const CLAMP: DeviceSpec = { role: 'clamp', kind: 'meter', model: 'SIM CM-2 clamp meter', channels: ['current_a', 'voltage_v'], batch: 1, phaseMs: 1_300 }

const MANIFOLD_MODEL = 'SIM DM-4 digital manifold'
const TEST_RUN_MANIFOLD_CHANNELS = ['pressure_low_kpag', 'pressure_high_kpag', 'temp_suction_c', 'temp_liquid_c'] as const

/** The devices of a test run on its own: the unit, a clamp meter and a digital manifold with two pipe clamps. */
export const COOLING_DEVICES: readonly DeviceSpec[] = [
  UNIT,
  CLAMP,
  { role: 'manifold', kind: 'meter', model: MANIFOLD_MODEL, channels: TEST_RUN_MANIFOLD_CHANNELS, batch: 1, phaseMs: 2_700 },
]

/**
 * The devices of a whole commissioning: the test run's, the manifold's third pipe clamp
 * (temperature compensation of the tightness hold), a micron probe and an installation tester.
 */
export const COMMISSIONING_DEVICES: readonly DeviceSpec[] = [
  UNIT,
  CLAMP,
  { role: 'manifold', kind: 'meter', model: MANIFOLD_MODEL, channels: [...TEST_RUN_MANIFOLD_CHANNELS, 'temp_pipe_c'], batch: 1, phaseMs: 2_700 },
  { role: 'probe', kind: 'meter', model: 'SIM VP-1 micron probe', channels: ['vacuum_micron'], batch: 1, phaseMs: 3_900 },
  {
    role: 'tester',
    kind: 'meter',
    model: 'SIM IT-5 installation tester',
    channels: ['earth_ohm', 'insulation_mohm', 'voltage_v', 'leakage_ma'],
    batch: 1,
    phaseMs: 600,
  },
]

/** The phase of a commissioning device's sampling clock. */
export function phaseOf(role: DeviceRole): number {
  const d = COMMISSIONING_DEVICES.find((x) => x.role === role)
  if (!d) throw new Error(`no commissioning device with role ${role}`)
  return d.phaseMs
}
