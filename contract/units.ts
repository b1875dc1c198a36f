/**
 * Unit conversion, done once at ingest. Each quantity has a table of accepted unit
 * spellings → a function to the canonical unit. Anything not in the table is refused,
 * never guessed.
 *
 * Case: SI prefixes are case-sensitive (BIPM SI Brochure, 9th ed. 2019, §3: "m" milli,
 * "M" mega), so for a spelling that starts with m or M the prefix letter must match
 * exactly: "MPa" is megapascal and "mPa" millipascal (not a pressure a manifold reports:
 * refused, never read as MPa); "mA" is milliampere, "MA" refused; "MΩ"/"Mohm" megohm and
 * "mΩ"/"mohm" milliohm. Everything after the prefix, and every spelling whose first
 * letter is not such a prefix, is case-insensitive where no other unit shares the
 * letters: "psi"/"PSI", "kPa"/"KPA" (there is no "K" prefix), "bar"/"BAR", "°c".
 * Unicode compatibility forms are folded first (NFKC): "℃" (U+2103) is "°C", "℉" (U+2109)
 * "°F", "Ω" (U+2126) "Ω", "µ" (U+00B5) "μ", "㎫" "MPa".
 */
import type { Quantity } from './channels.js'

// Standard atmosphere (ISO 2533: 101.325 kPa): the default zero of a gauge reading where a job
// gives no site elevation or pressure (rules/site-atmosphere.ts). Not used at ingest.
export const ATMOSPHERE_KPA = 101.325
// 1 micron of mercury = 0.133322 Pa (1 torr = 1000 microns = 133.322 Pa).
const PA_PER_MICRON = 0.133322

type Convert = (value: number) => number
const same: Convert = (v) => v
/**
 * A product of two decimals in binary floating point can miss the decimal result by one unit in
 * the last place: 8.2 bar × 100 = 819.9999999999999, 1.1 bar = 110.00000000000001 kPa. Rounded
 * to 15 significant digits (a double holds 15 exactly, IEEE 754 §3.6 / DBL_DIG), the canonical
 * value is the decimal one: 8.2 bar and a plain 820 kPa for the same point are then the same
 * reading, not a conflict.
 */
const decimal = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(15)) : v)
const times = (k: number): Convert => (v) => decimal(v * k)
// Dividing, not multiplying by 1e-3: 5100 mA is 5.1 A exactly, not 5.1000000000000005.
const per = (k: number): Convert => (v) => decimal(v / k)

const PSI_KPA = 6.894757
const fromF: Convert = (v) => decimal(((v - 32) * 5) / 9)

/** Spelling (as written in docs, prefix case significant if it starts with m/M) → conversion. */
type Table = readonly (readonly [spelling: string, convert: Convert])[]

const PRESSURE_GAUGE: Table = [
  ['kPa', same], ['kPag', same], ['kPa(g)', same],
  ['MPa', times(1000)], ['MPag', times(1000)], ['MPa(g)', times(1000)],
  ['bar', times(100)], ['barg', times(100)], ['bar(g)', times(100)],
  ['psi', times(PSI_KPA)], ['psig', times(PSI_KPA)],
]

/**
 * Absolute pressure spellings, refused on a gauge channel: turning them into gauge needs the
 * site's atmospheric pressure, which the ingest does not know (a device is not tied to one
 * site; at 1,900 m the atmosphere is ~80.5 kPa, so subtracting 101.325 would store a value
 * ~21 kPa low). The device is told to send gauge, as its manifold displays it. A unit without
 * a suffix is gauge: the channel name states it (pressure_low_kpag).
 */
const ABSOLUTE_PRESSURE = new Set(['kpaa', 'kpa(a)', 'mpaa', 'mpa(a)', 'bara', 'bar(a)', 'psia'])

/**
 * Gauge vacuum spellings, refused on the vacuum channel: inches of mercury (and a negative
 * gauge kPa/MPa/bar/psi) is how a compound gauge reads vacuum, below the site's atmosphere; it
 * cannot resolve 500 microns (0.02 inHg) and needs the atmosphere to become absolute.
 */
const GAUGE_VACUUM = new Set(['inhg', 'inhgv', 'in hg', '"hg', 'kpa', 'kpag', 'kpa(g)', 'mpa', 'mpag', 'mpa(g)', 'bar', 'barg', 'bar(g)', 'psi', 'psig'])

// Vacuum is absolute by nature; a gauge unit here ("-0.1 MPa") cannot tell 5000 microns
// from 500 (DOMAIN.md, evacuation), so none is accepted.
const VACUUM: Table = [
  ['micron', same], ['microns', same], ['um', same], ['umHg', same], ['µm', same], ['µmHg', same],
  ['Torr', times(1000)],
  ['mTorr', same],
  ['Pa', (v) => v / PA_PER_MICRON],
  ['mbar', (v) => (v * 100) / PA_PER_MICRON],
  ['kPaa', (v) => (v * 1000) / PA_PER_MICRON], ['kPa(a)', (v) => (v * 1000) / PA_PER_MICRON],
]

const TEMPERATURE: Table = [
  ['°C', same], ['C', same], ['degC', same], ['celsius', same],
  ['°F', fromF], ['F', fromF], ['degF', fromF], ['fahrenheit', fromF],
  ['K', (v) => decimal(v - 273.15)], ['kelvin', (v) => decimal(v - 273.15)],
]

const AMPERES: Table = [['A', same], ['mA', per(1000)]]
const MILLIAMPERES: Table = [['mA', same], ['A', times(1000)], ['µA', per(1000)], ['uA', per(1000)]]
const VOLTS: Table = [['V', same], ['kV', times(1000)], ['mV', per(1000)]]
const MEGAOHMS: Table = [
  ['MΩ', same], ['Mohm', same], ['megohm', same], ['megaohm', same],
  ['GΩ', times(1000)], ['Gohm', times(1000)],
  ['kΩ', per(1000)], ['kohm', per(1000)],
]
const OHMS: Table = [['Ω', same], ['ohm', same], ['kΩ', times(1000)], ['kohm', times(1000)], ['mΩ', per(1000)], ['mohm', per(1000)]]

const TABLES: Record<Quantity, Table> = {
  pressure_gauge: PRESSURE_GAUGE,
  vacuum: VACUUM,
  temperature: TEMPERATURE,
  current: AMPERES,
  leakage: MILLIAMPERES,
  voltage: VOLTS,
  insulation: MEGAOHMS,
  resistance: OHMS,
}

const fold = (unit: string) => unit.normalize('NFKC').trim()
// The prefixes whose case changes the meaning by 10^9 (milli/mega). "micron" starts with m
// but is a word, not a prefix: its first letter may be either case.
const strictPrefix = (spelling: string) => /^[mM]/.test(spelling) && !/^(micron|microns|megohm|megaohm)$/i.test(spelling)

interface Lookup {
  exact: Map<string, Convert>
  /** lower-cased spelling → conversion and, for a strict prefix, the prefix letter it needs. */
  folded: Map<string, { convert: Convert; spelling: string; prefix?: string }>
}

function buildLookup(table: Table): Lookup {
  const exact = new Map<string, Convert>()
  const folded = new Map<string, { convert: Convert; spelling: string; prefix?: string }>()
  for (const [spelling, convert] of table) {
    const key = fold(spelling)
    exact.set(key, convert)
    folded.set(key.toLowerCase(), strictPrefix(key) ? { convert, spelling, prefix: key[0]! } : { convert, spelling })
  }
  return { exact, folded }
}

const LOOKUPS = new Map<Quantity, Lookup>(Object.entries(TABLES).map(([q, t]) => [q as Quantity, buildLookup(t)]))

/** Accepted unit spellings for a quantity, for error messages and docs (any case allowed after an m/M prefix). */
export function acceptedUnits(quantity: Quantity): string[] {
  return TABLES[quantity].map(([s]) => s)
}

/** Converts to the quantity's canonical unit, or returns undefined if the unit is not known for it. */
export function convertToCanonical(quantity: Quantity, value: number, unit: string): number | undefined {
  const lookup = LOOKUPS.get(quantity)
  if (!lookup) return undefined
  const key = fold(unit)
  // Maps, not object keys: a unit named "__proto__" or "constructor" cannot reach Object.prototype.
  const exact = lookup.exact.get(key)
  if (exact) return exact(value)
  const f = lookup.folded.get(key.toLowerCase())
  if (!f || (f.prefix !== undefined && key[0] !== f.prefix)) return undefined
  return f.convert(value)
}

/** Why a unit was refused, for the sender: names the prefix rule when only the prefix case was wrong. */
export function unitRefusal(quantity: Quantity, unit: string): string {
  const key = fold(unit)
  const f = LOOKUPS.get(quantity)?.folded.get(key.toLowerCase())
  const list = acceptedUnits(quantity).join(', ')
  if (quantity === 'vacuum' && GAUGE_VACUUM.has(key.toLowerCase())) {
    return `"${unit}" is a gauge vacuum (below atmosphere, as a compound gauge reads it): it cannot tell 5000 microns from 500 and needs the site's atmosphere to become absolute; send the micron probe's absolute reading (one of ${list})`
  }
  if (quantity === 'pressure_gauge' && ABSOLUTE_PRESSURE.has(key.toLowerCase())) {
    return `"${unit}" is an absolute pressure and this channel is gauge: the gateway cannot know the site's atmospheric pressure at ingest, so send the gauge pressure the manifold shows (one of ${list}); the verdict converts gauge to absolute with the job's site elevation or atmospheric pressure`
  }
  if (f?.prefix !== undefined && key[0] !== f.prefix) {
    const prefix = (c: string | undefined) => (c === 'M' ? 'mega' : 'milli')
    return `prefixes are case-sensitive (m = milli, M = mega): "${unit}" would be ${prefix(key[0])}, the accepted unit is "${f.spelling}" (${prefix(f.prefix)}); use one of ${list}`
  }
  return `use one of ${list}`
}
