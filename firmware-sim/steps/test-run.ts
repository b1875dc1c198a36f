/**
 * The 30-minute test run (S1): a healthy 1.5 HP R32 wall split in cooling on a warm day,
 * reported by the unit itself, a clamp meter and a digital manifold. The unit is switched
 * on PRE_ROLL_MS before the start marker. Faults (over-current, a silent meter) and extra
 * messages are layered on top by the scenarios.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Value } from '../../contract/telemetry.js'
import { COOLING_DEVICES } from '../devices.js'
import { noise, quantize, type Rng } from '../prng.js'
import { kpaToPsi, saturationTempC } from '../refrigerant.js'
import {
  MINUTE_MS,
  PRE_ROLL_MS,
  SAMPLE_PERIOD_MS,
  type DeviceRole,
  type DeviceSpec,
  type Measurement,
  type SampleEvent,
  type StepFacts,
  type UnitSpec,
} from '../scenario.js'
import type { Step } from './step.js'

// Steady operating point. Pressures from DOMAIN.md's R32 table: 0.90 MPa(g) evaporates at
// ~6.6 °C, 2.55 MPa(g) condenses at ~42.7 °C; superheat and subcooling of ~5 K are typical.
const STEADY = {
  currentA: 5.2,
  lowMpag: 0.9,
  highMpag: 2.55,
  superheatK: 5.5,
  subcoolingK: 5,
  returnAirC: 26,
  coilDeltaK: 12.8, // supply ≈ 13.2 °C; DOMAIN.md: ΔT 8-14 K in cooling
  outdoorC: 32,
} as const
// Off, the two sides equalise near the saturation pressure at ambient (R32 at ~30 °C).
const STANDING_MPAG = 1.8
// Fan and electronics before the compressor's soft start.
const IDLE_CURRENT_A = 0.3

/** The unit's state `s` minutes after it was switched on (noise-free). */
interface State {
  currentA: number
  voltageV: number
  lowMpag: number
  highMpag: number
  suctionC: number
  liquidC: number
  returnAirC: number
  supplyAirC: number
  outdoorC: number
}

function healthyCurrent(s: number): number {
  if (s < 0.25) return IDLE_CURRENT_A
  // Inverter soft start: ramps to running current over ~75 s, no inrush spike.
  return IDLE_CURRENT_A + (STEADY.currentA - IDLE_CURRENT_A) * Math.min(1, (s - 0.25) / 1.25)
}

function stateAt(unit: UnitSpec, s: number, currentA: number): State {
  const settle = (tauMin: number) => Math.exp(-s / tauMin)
  // The room cools slowly, so the evaporator load (and the low side) eases off over the run.
  const roomCooling = 1 - settle(15)
  const lowMpag = STEADY.lowMpag + (STANDING_MPAG - STEADY.lowMpag) * settle(0.5) - 0.02 * roomCooling
  const highMpag = STEADY.highMpag + (STANDING_MPAG - STEADY.highMpag) * settle(0.7)
  const suctionTarget = saturationTempC(unit.refrigerant, lowMpag) + STEADY.superheatK
  const liquidTarget = saturationTempC(unit.refrigerant, highMpag) - STEADY.subcoolingK
  const returnAirC = STEADY.returnAirC + 1 - roomCooling
  const nominalV = unit.phases === 3 ? 400 : 230
  return {
    currentA,
    voltageV: nominalV - 0.4 * currentA, // supply cable drop under load
    lowMpag,
    highMpag,
    suctionC: suctionTarget + (STEADY.outdoorC - suctionTarget) * settle(1),
    liquidC: liquidTarget + (STEADY.outdoorC - liquidTarget) * settle(1),
    returnAirC,
    supplyAirC: returnAirC - STEADY.coilDeltaK * (1 - settle(2)),
    outdoorC: STEADY.outdoorC,
  }
}

const psig = (mpag: number, rng: Rng, boundMpa: number): Value => ({
  value: quantize(kpaToPsi((mpag + noise(rng, boundMpa)) * 1000), 0.1),
  unit: 'psig',
})

// How each channel is reported: noise bound and resolution of a typical instrument.
const REPORT: Partial<Record<ChannelName, (st: State, rng: Rng) => Value>> = {
  current_a: (st, rng) => quantize(st.currentA + noise(rng, 0.15), 0.01),
  voltage_v: (st, rng) => quantize(st.voltageV + noise(rng, 1.5), 0.1),
  // The manifold reports in psig with the unit stated, to exercise conversion at ingest.
  pressure_low_kpag: (st, rng) => psig(st.lowMpag, rng, 0.01),
  pressure_high_kpag: (st, rng) => psig(st.highMpag, rng, 0.02),
  temp_suction_c: (st, rng) => quantize(st.suctionC + noise(rng, 0.2), 0.1),
  temp_liquid_c: (st, rng) => quantize(st.liquidC + noise(rng, 0.2), 0.1),
  temp_return_air_c: (st, rng) => quantize(st.returnAirC + noise(rng, 0.15), 0.1),
  temp_supply_air_c: (st, rng) => quantize(st.supplyAirC + noise(rng, 0.15), 0.1),
  temp_outdoor_c: (st, rng) => quantize(st.outdoorC + noise(rng, 0.2), 0.1),
  // A sound casing: touch current of a class I split well under 1 mA (S14).
  leakage_ma: (_st, rng) => quantize(0.3 + noise(rng, 0.05), 0.01),
}

/** Device times of the test run: the unit is switched on at startTs, the start marker is at runStartTs. */
export interface CoolingContext {
  startTs: number
  runStartTs: number
  rng: Rng
}

export interface Silence {
  role: DeviceRole
  /** Minutes after the start marker; the device sends nothing in [fromMinute, toMinute). */
  fromMinute: number
  toMinute: number
}

export interface CoolingFaults {
  /** Mean current (A) at `minute` after the start marker, given the healthy one. */
  currentA?: (minute: number, healthyA: number, unit: UnitSpec) => number
  silences?: readonly Silence[]
  /** Changes a device's reported values at `minute` after the start marker (a leak, an indoor current, heating air). */
  adjust?: (role: DeviceRole, minute: number, values: Partial<Record<ChannelName, Value>>) => void
}

/** Every device's readings from switch-on to `runMinutes` after the start marker. */
export function coolingRunSamples(
  unit: UnitSpec,
  ctx: CoolingContext,
  runMinutes: number,
  faults: CoolingFaults = {},
  devices: readonly DeviceSpec[] = COOLING_DEVICES,
): Measurement[] {
  const endTs = ctx.runStartTs + runMinutes * MINUTE_MS
  const out: Measurement[] = []
  for (const device of devices) {
    for (let ts = ctx.startTs + device.phaseMs; ts <= endTs; ts += SAMPLE_PERIOD_MS) {
      const minute = (ts - ctx.runStartTs) / MINUTE_MS
      const silent = faults.silences?.some((g) => g.role === device.role && minute >= g.fromMinute && minute < g.toMinute)
      if (silent) continue
      const s = (ts - ctx.startTs) / MINUTE_MS
      const healthy = healthyCurrent(s)
      const st = stateAt(unit, s, faults.currentA ? faults.currentA(minute, healthy, unit) : healthy)
      const values: Partial<Record<ChannelName, Value>> = {}
      for (const ch of device.channels) {
        const report = REPORT[ch]
        if (!report) throw new Error(`cooling run: no model for channel ${ch}`)
        values[ch] = report(st, ctx.rng)
      }
      faults.adjust?.(device.role, minute, values)
      out.push({ kind: 'measurement', at: ts, deviceRole: device.role, values })
    }
  }
  return out
}

export interface TestRunOptions {
  unit: UnitSpec
  /** Minutes the unit runs (and devices report) after the start marker. */
  runMinutes: number
  /** Minute after the start marker at which the technician stops the step. */
  stopAtMinutes: number
  faults?: CoolingFaults
  /** Further messages mixed into the run, e.g. malformed ones. */
  extra?: (ctx: CoolingContext) => SampleEvent[]
  /** The heat pump's heating run is its own step; default test_run. */
  stepId?: 'test_run' | 'test_run_heating'
  /** Declared with the start marker, e.g. indoorWetBulbC for a fixed-orifice unit. */
  facts?: StepFacts
  /** The devices that report; default COOLING_DEVICES. */
  devices?: readonly DeviceSpec[]
}

export function testRunStep(o: TestRunOptions): Step {
  return {
    id: o.stepId ?? 'test_run',
    ...(o.facts ? { facts: o.facts } : {}),
    leadMs: PRE_ROLL_MS,
    durationMs: o.stopAtMinutes * MINUTE_MS,
    spanMs: Math.max(o.runMinutes, o.stopAtMinutes) * MINUTE_MS,
    samples: (startTs, rng) => {
      const ctx: CoolingContext = { startTs: startTs - PRE_ROLL_MS, runStartTs: startTs, rng }
      return [...coolingRunSamples(o.unit, ctx, o.runMinutes, o.faults, o.devices), ...(o.extra?.(ctx) ?? [])]
    },
  }
}
