/**
 * Flammable refrigerants (A2L R32, A3 R290): the charge a room may hold. IEC 60335-2-40
 * (GB 4706.32 is its Chinese adoption) Annex GG, GG.2: for a charge m between m1 = 4 m³ ×
 * LFL and m2 = 26 m³ × LFL the room needs at least
 *   A_min = (m / (2.5 × LFL^(5/4) × h0))²   [m², kg, kg/m³, m]
 * where h0 is the release height (0.6 m floor, 1.0 m window, 1.8 m wall, 2.2 m ceiling
 * mounted). At or below m1 no room-area limit applies; above m2 the formula does not cover
 * the charge (other measures, e.g. ventilation, per GG.3-GG.5). Pure.
 */
import type { CheckResult } from '../result.js'
import { round, undeclared, type Context } from './record-context.js'

export function minRoomAreaM2(chargeKg: number, lflKgM3: number, h0M: number): number {
  return (chargeKg / (2.5 * lflKgM3 ** 1.25 * h0M)) ** 2
}

export function chargeLimit(c: Context): CheckResult | undefined {
  const p = c.p.flammableChargeLimit?.value
  if (!p) return undefined
  const refrigerant = c.unit.refrigerant.trim().toUpperCase()
  const lfl = p.lflKgM3[refrigerant]
  const base = { id: 'flammable_charge_limit', clause: 'IEC 60335-2-40 GG.2', unit: 'm²' }
  if (lfl === undefined) return { ...base, status: 'pass', message: `not applicable: ${c.unit.refrigerant} is not one of the pack's flammable refrigerants (${Object.keys(p.lflKgM3).join(', ')})` }
  const m = c.unit.chargeKg
  if (m === undefined) return { ...base, status: 'pending', message: `${refrigerant} unit: the refrigerant charge (unit.chargeKg, nameplate plus any added) is needed for the room-area limit` }
  const m1 = 4 * lfl
  const m2 = 26 * lfl
  if (m <= m1) return { ...base, status: 'pass', message: `${m} kg ${refrigerant} is at most m1 = 4 m³ × LFL ${lfl} kg/m³ = ${round(m1, 3)} kg: no room-area limit (IEC 60335-2-40 GG.2)` }
  if (m > m2) return { ...base, status: 'fail', severity: 'critical', message: `${m} kg ${refrigerant} is above m2 = 26 m³ × LFL = ${round(m2, 3)} kg: not allowed in an occupied room without the further measures of IEC 60335-2-40 GG.3-GG.5` }
  const area = c.r.roomAreaM2
  if (area === undefined) return undeclared(c, base, 'room area (for the flammable refrigerant charge limit)', 'critical')
  const need = round(minRoomAreaM2(m, lfl, p.h0M), 1)
  const how = `A_min = (m / (2.5 × LFL^1.25 × h0))² with m ${m} kg, LFL ${lfl} kg/m³, h0 ${p.h0M} m: ${need} m² (IEC 60335-2-40 / GB 4706.32 Annex GG.2)`
  const measured = { ...base, measured: area, limit: need }
  if (area >= need) return { ...measured, status: 'pass', message: `room ${area} m² holds ${m} kg ${refrigerant}: ${how}` }
  return { ...measured, status: 'fail', severity: 'critical', message: `room ${area} m² is too small for ${m} kg ${refrigerant}: ${how}; a leak could reach a flammable concentration` }
}
