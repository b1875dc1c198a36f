/**
 * Target superheat of fixed-orifice and capillary units. Their metering cannot adapt, so
 * the right superheat depends on the load: indoor (return air) wet bulb and outdoor dry
 * bulb. Two published methods, chosen by the pack:
 *
 * - 'table': a manufacturer's superheat charging table (e.g. Carrier 38VTA/38TUA
 *   installation instructions, "Superheat Charging Table"), interpolated bilinearly; a dash
 *   in the table ("do not attempt to charge under these conditions") gives no target.
 * - 'formula': the common linear fit of that table, target °F = (3 · WB°F − 80 − DB°F) / 2
 *   (quoted e.g. on refrigeration-engineer.com "Superheat formula for charging capillary
 *   systems"; it reproduces the Carrier table within about 2 °F over 55-115 °F outdoor,
 *   50-76 °F wet bulb). Below 5 °F the table has dashes, so the formula gives no target there.
 * Pure.
 */
import { z } from 'zod'

import { finite, sourced } from './sourced.js'

const fToC = (f: number) => ((f - 32) * 5) / 9
const cToF = (c: number) => (c * 9) / 5 + 32

/** A charging table: rows by outdoor dry bulb, columns by indoor wet bulb, cells superheat (null = do not charge). */
const ChargingTableSchema = z
  .object({
    /** Unit of every number in the table: the manufacturer's own, so the table reads as printed. */
    unit: z.enum(['F', 'C']),
    outdoorDryBulb: z.array(finite()).min(2),
    indoorWetBulb: z.array(finite()).min(2),
    superheat: z.array(z.array(finite().nullable())),
  })
  .strict()
  .refine((t) => t.superheat.length === t.outdoorDryBulb.length && t.superheat.every((r) => r.length === t.indoorWetBulb.length), {
    message: 'superheat must have one row per outdoorDryBulb and one column per indoorWetBulb',
  })
  .refine((t) => ascending(t.outdoorDryBulb) && ascending(t.indoorWetBulb), { message: 'table axes must ascend' })

function ascending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i] ?? 0) <= (xs[i - 1] ?? 0)) return false
  return true
}

export const TargetSuperheatParamsSchema = z
  .object({
    method: sourced(z.enum(['table', 'formula'])),
    table: sourced(ChargingTableSchema).optional(),
    /** Measured superheat within target ± this passes, K. */
    toleranceK: sourced(finite().positive()),
    /** Metering devices judged by the target (the others keep the fixed superheat band). */
    meteringDevices: sourced(z.array(z.enum(['fixed-orifice', 'capillary', 'txv', 'eev'])).min(1)),
  })
  .strict()
  .refine((p) => p.method.value !== 'table' || p.table !== undefined, { message: "method 'table' needs a table", path: ['table'] })
export type TargetSuperheatParams = z.infer<typeof TargetSuperheatParamsSchema>
type ChargingTable = z.infer<typeof ChargingTableSchema>

export type Target = { ok: true; targetK: number; how: string } | { ok: false; reason: string }

const round1 = (v: number) => Math.round(v * 10) / 10

export function formulaTargetK(indoorWbC: number, outdoorDbC: number): Target {
  const wb = cToF(indoorWbC)
  const db = cToF(outdoorDbC)
  const how = `target (3·WB − 80 − DB)/2 °F at indoor wet bulb ${round1(indoorWbC)} °C, outdoor ${round1(outdoorDbC)} °C`
  if (db < 55 || db > 115 || wb < 50 || wb > 76) {
    return { ok: false, reason: `${how}: outside the range the method covers (outdoor 13-46 °C, indoor wet bulb 10-24.4 °C)` }
  }
  const targetF = (3 * wb - 80 - db) / 2
  if (targetF < 5) return { ok: false, reason: `${how} gives ${round1(targetF)} °F: below 5 °F the charging table says do not charge by superheat (weigh the charge in)` }
  return { ok: true, targetK: (targetF * 5) / 9, how }
}

/** Index i with xs[i] <= x <= xs[i+1], or undefined outside. */
function bracket(xs: readonly number[], x: number): number | undefined {
  for (let i = 0; i + 1 < xs.length; i++) if (x >= (xs[i] ?? 0) && x <= (xs[i + 1] ?? 0)) return i
  return undefined
}

export function tableTargetK(table: ChargingTable, indoorWbC: number, outdoorDbC: number): Target {
  const toTable = table.unit === 'F' ? cToF : (c: number) => c
  const wb = toTable(indoorWbC)
  const db = toTable(outdoorDbC)
  const how = `manufacturer charging table at indoor wet bulb ${round1(indoorWbC)} °C, outdoor ${round1(outdoorDbC)} °C`
  const i = bracket(table.outdoorDryBulb, db)
  const j = bracket(table.indoorWetBulb, wb)
  if (i === undefined || j === undefined) return { ok: false, reason: `${how}: outside the table` }
  const cell = (r: number, c: number) => table.superheat[r]?.[c] ?? null
  const x0 = table.indoorWetBulb[j] ?? 0
  const x1 = table.indoorWetBulb[j + 1] ?? 1
  const y0 = table.outdoorDryBulb[i] ?? 0
  const y1 = table.outdoorDryBulb[i + 1] ?? 1
  const tx = (wb - x0) / (x1 - x0)
  const ty = (db - y0) / (y1 - y0)
  // Corners with no weight do not count: on a grid line only the cells on it matter (the table is read to a hair, not a guess).
  const corners = [
    { v: cell(i, j), w: (1 - tx) * (1 - ty) },
    { v: cell(i, j + 1), w: tx * (1 - ty) },
    { v: cell(i + 1, j), w: (1 - tx) * ty },
    { v: cell(i + 1, j + 1), w: tx * ty },
  ]
  let v = 0
  for (const k of corners) {
    if (k.w < 1e-9) continue // °C → °F round trips land a hair off the grid line
    if (k.v === null) return { ok: false, reason: `${how}: the table says do not charge by superheat under these conditions (weigh the charge in)` }
    v += k.v * k.w
  }
  // A superheat difference: °F → K is × 5/9 with no offset.
  return { ok: true, targetK: table.unit === 'F' ? (v * 5) / 9 : v, how }
}

export function targetSuperheatK(p: TargetSuperheatParams, indoorWbC: number, outdoorDbC: number): Target {
  if (p.method.value === 'table' && p.table) return tableTargetK(p.table.value, indoorWbC, outdoorDbC)
  return formulaTargetK(indoorWbC, outdoorDbC)
}

export { fToC }
