/**
 * Unit conversion, done once at ingest. Each quantity has a table of accepted unit
 * spellings → a function to the canonical unit. Anything not in the table is refused,
 * never guessed.
 */
import type { Quantity } from './channels.js'

// Standard atmosphere, used to turn absolute pressures into gauge (ISO 2533: 101.325 kPa).
export const ATMOSPHERE_KPA = 101.325
// 1 micron of mercury = 0.133322 Pa (1 torr = 1000 microns = 133.322 Pa).
const PA_PER_MICRON = 0.133322

type Convert = (value: number) => number
const same: Convert = (v) => v

// A pressure unit without a g/a suffix is read as the channel's own reference (gauge):
// the channel name already states it (pressure_low_kpag). Absolute needs the explicit "a".
const gauge = (kpaPerUnit: number): Convert => (v) => v * kpaPerUnit
const absToGauge = (kpaPerUnit: number): Convert => (v) => v * kpaPerUnit - ATMOSPHERE_KPA

const PRESSURE_GAUGE: Record<string, Convert> = {
  kpa: same, kpag: same, 'kpa(g)': same,
  mpa: gauge(1000), mpag: gauge(1000), 'mpa(g)': gauge(1000),
  bar: gauge(100), barg: gauge(100), 'bar(g)': gauge(100),
  psi: gauge(6.894757), psig: gauge(6.894757),
  kpaa: absToGauge(1), 'kpa(a)': absToGauge(1),
  mpaa: absToGauge(1000), 'mpa(a)': absToGauge(1000),
  bara: absToGauge(100), 'bar(a)': absToGauge(100),
  psia: absToGauge(6.894757),
}

// Vacuum is absolute by nature; a gauge unit here ("-0.1 MPa") cannot tell 5000 microns
// from 500 (DOMAIN.md, evacuation), so none is accepted.
const VACUUM: Record<string, Convert> = {
  micron: same, microns: same, um: same, umhg: same, 'µm': same, 'µmhg': same,
  torr: (v) => v * 1000,
  mtorr: same,
  pa: (v) => v / PA_PER_MICRON,
  mbar: (v) => (v * 100) / PA_PER_MICRON,
  kpaa: (v) => (v * 1000) / PA_PER_MICRON,
}

const TEMPERATURE: Record<string, Convert> = {
  c: same, '°c': same, degc: same, celsius: same,
  f: (v) => ((v - 32) * 5) / 9, '°f': (v) => ((v - 32) * 5) / 9, degf: (v) => ((v - 32) * 5) / 9,
  k: (v) => v - 273.15,
}

const AMPERES: Record<string, Convert> = { a: same, ma: (v) => v / 1000 }
const MILLIAMPERES: Record<string, Convert> = { ma: same, a: (v) => v * 1000, ua: (v) => v / 1000, 'µa': (v) => v / 1000 }
const VOLTS: Record<string, Convert> = { v: same, kv: (v) => v * 1000 }
const MEGAOHMS: Record<string, Convert> = {
  mohm: same, 'mω': same, megaohm: same, gohm: (v) => v * 1000, 'gω': (v) => v * 1000, kohm: (v) => v / 1000, 'kω': (v) => v / 1000,
}
const OHMS: Record<string, Convert> = { ohm: same, 'ω': same, kohm: (v) => v * 1000, 'kω': (v) => v * 1000 }

const TABLES: Record<Quantity, Record<string, Convert>> = {
  pressure_gauge: PRESSURE_GAUGE,
  vacuum: VACUUM,
  temperature: TEMPERATURE,
  current: AMPERES,
  leakage: MILLIAMPERES,
  voltage: VOLTS,
  insulation: MEGAOHMS,
  resistance: OHMS,
}

/** Accepted unit spellings for a quantity, for error messages and docs. */
export function acceptedUnits(quantity: Quantity): string[] {
  return Object.keys(TABLES[quantity])
}

/** Converts to the quantity's canonical unit, or returns undefined if the unit is not known for it. */
export function convertToCanonical(quantity: Quantity, value: number, unit: string): number | undefined {
  const table = TABLES[quantity]
  const key = unit.trim().toLowerCase()
  // hasOwn: a unit named "__proto__" or "constructor" must not reach Object.prototype.
  return Object.hasOwn(table, key) ? table[key]!(value) : undefined
}
