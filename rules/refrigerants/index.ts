/**
 * Refrigerant saturation properties: saturation temperature from a gauge pressure and the
 * inverse. Pure: tables in, numbers out. Gauge pressures are converted with the standard
 * atmosphere, as DOMAIN.md's table is; at 1000 m altitude the real atmosphere is ~11 kPa
 * lower, which moves a low-side saturation temperature by ~0.5 K.
 *
 * Unknown refrigerants and pressures or temperatures outside the tables give a result with
 * `ok: false`, a code and a sentence saying why: never a guess, never an extrapolation.
 */
import type { VerdictErrorCode } from '../../contract/errors.js'
import { R22_SATURATION, R22_SOURCE } from './r22.js'
import { R290_SATURATION, R290_SOURCE } from './r290.js'
import { R32_SATURATION, R32_SOURCE } from './r32.js'
import { R410A_BUBBLE, R410A_DEW, R410A_SOURCE } from './r410a.js'
import { pressureAt, tableRange, temperatureAt, type SaturationTable } from './saturation-table.js'

/** kPa: standard atmosphere (ISO 2533), the zero of a gauge reading. */
export const ATMOSPHERE_KPA = 101.325

/** Dew point (saturated vapour: superheat) or bubble point (saturated liquid: subcooling). */
export type SaturationKind = 'dew' | 'bubble'

export interface Refrigerant {
  /** ASHRAE 34 designation, e.g. 'R410A'. */
  id: string
  /** Where the table comes from, for messages and reports. */
  source: string
  dew: SaturationTable
  bubble: SaturationTable
}

const pure = (id: string, table: SaturationTable, source: string): Refrigerant => ({ id, source, dew: table, bubble: table })

const REFRIGERANTS: ReadonlyMap<string, Refrigerant> = new Map(
  [
    pure('R22', R22_SATURATION, R22_SOURCE),
    pure('R290', R290_SATURATION, R290_SOURCE),
    pure('R32', R32_SATURATION, R32_SOURCE),
    { id: 'R410A', source: R410A_SOURCE, dew: R410A_DEW, bubble: R410A_BUBBLE },
  ].map((r): [string, Refrigerant] => [r.id, r]),
)

/** Other names a unit record may use. */
const ALIASES: Readonly<Record<string, string>> = { PROPANE: 'R290', HFC32: 'R32', HCFC22: 'R22' }

/** The ids with tables, sorted: 'R22', 'R290', 'R32', 'R410A'. */
export const KNOWN_REFRIGERANTS: readonly string[] = [...REFRIGERANTS.keys()].sort()

/** 'R32', 'r32', 'R-32', ' R 410A ' → the refrigerant; anything else → undefined. */
export function findRefrigerant(name: string): Refrigerant | undefined {
  const key = name.toUpperCase().replace(/[\s-]/g, '')
  return REFRIGERANTS.get(ALIASES[key] ?? key)
}

export type SaturationErrorCode = Extract<VerdictErrorCode, 'GW_ERR_UNKNOWN_REFRIGERANT' | 'GW_ERR_OUT_OF_TABLE'>

export type SaturationResult =
  | { ok: true; value: number; refrigerant: string; source: string }
  | { ok: false; code: SaturationErrorCode; message: string }

export function unknownRefrigerantMessage(name: string): string {
  return `no saturation table for refrigerant "${name}" (known: ${KNOWN_REFRIGERANTS.join(', ')})`
}

function unknown(name: string): SaturationResult {
  return { ok: false, code: 'GW_ERR_UNKNOWN_REFRIGERANT', message: unknownRefrigerantMessage(name) }
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits

function outOfTable(r: Refrigerant, kind: SaturationKind, what: string): SaturationResult {
  const { minC, maxC, minKPaAbs, maxKPaAbs } = tableRange(r[kind])
  const pMin = round(minKPaAbs - ATMOSPHERE_KPA, 1)
  const pMax = round(maxKPaAbs - ATMOSPHERE_KPA, 1)
  return {
    ok: false,
    code: 'GW_ERR_OUT_OF_TABLE',
    message: `${what} is outside the ${r.id} ${kind}-point table (${minC} to ${maxC} °C, ${pMin} to ${pMax} kPa(g)): not extrapolated`,
  }
}

/**
 * Saturation temperature, °C, at a gauge pressure in kPa. `atmosphereKpa` is the site's
 * atmospheric pressure, the zero of the gauge (rules/site-atmosphere.ts); default: ISA sea level.
 */
export function saturationTempC(refrigerant: string, pressureKpaG: number, kind: SaturationKind, atmosphereKpa = ATMOSPHERE_KPA): SaturationResult {
  const r = findRefrigerant(refrigerant)
  if (!r) return unknown(refrigerant)
  const t = temperatureAt(r[kind], pressureKpaG + atmosphereKpa)
  if (t === undefined) return outOfTable(r, kind, `pressure ${pressureKpaG} kPa(g)`)
  return { ok: true, value: t, refrigerant: r.id, source: r.source }
}

/** Saturation pressure, kPa gauge, at a temperature in °C. */
export function saturationPressureKpaG(refrigerant: string, tempC: number, kind: SaturationKind): SaturationResult {
  const r = findRefrigerant(refrigerant)
  if (!r) return unknown(refrigerant)
  const p = pressureAt(r[kind], tempC)
  if (p === undefined) return outOfTable(r, kind, `temperature ${tempC} °C`)
  return { ok: true, value: p - ATMOSPHERE_KPA, refrigerant: r.id, source: r.source }
}

export type { SaturationTable } from './saturation-table.js'
