/**
 * S9 (seed §5 ch.7 art.15): supply cable cross-section. The seed's rows: split <= 1 HP
 * 1.5 mm², 1.5-2 HP 2.5 mm², 3 HP single-phase >= 4 mm², three-phase 3 HP and 5 HP >=
 * 2.5 mm². For single-phase above 3 HP and three-phase above 5 HP the seed is silent; there
 * the conductor must carry the unit's current with a margin, from the ampacity table of
 * IEC 60364-5-52 (GB/T 16895.6) the pack carries. Pure.
 */
import type { CheckResult } from '../result.js'
import { undeclared, type Context } from './record-context.js'
import { stepFor } from './record-schema.js'

export function cableCrossSection(c: Context): CheckResult {
  const base = { id: 'cable_cross_section', clause: 'S9', unit: 'mm²' }
  const mm2 = c.r.cableCrossSectionMm2
  if (mm2 === undefined) return undeclared(c, base, 'supply cable cross-section', 'critical')
  const hp = c.unit.capacityHp
  const phase = c.unit.phases === 3 ? 'three-phase' : 'single-phase'
  const rows = c.unit.phases === 3 ? c.p.cableMinMm2ThreePhase.value : c.p.cableMinMm2SinglePhase.value
  const row = stepFor(rows, hp)
  // An undersized conductor overheats under the compressor's current: a fire hazard.
  if (row) {
    const measured = { ...base, measured: mm2, limit: row.min }
    if (mm2 >= row.min) return { ...measured, status: 'pass', message: `supply cable ${mm2} mm² for a ${hp} HP ${phase} unit (at least ${row.min} mm², seed §5 ch.7 art.15)` }
    return { ...measured, status: 'fail', severity: 'critical', message: `supply cable ${mm2} mm² is undersized for a ${hp} HP ${phase} unit: at least ${row.min} mm² (seed §5 ch.7 art.15)` }
  }
  const table = c.p.cableAmpacity?.value
  const margin = c.p.cableCurrentMarginRatio?.value
  const silent = `the seed is silent for a ${hp} HP ${phase} unit`
  if (!table || margin === undefined) return { ...base, status: 'pending', measured: mm2, message: `${silent} and the pack has no ampacity rule: ${mm2} mm² cannot be judged` }
  const amps = c.unit.maxCurrentA ?? c.unit.ratedCurrentA
  const which = c.unit.maxCurrentA !== undefined ? 'nameplate maximum' : 'rated'
  const need = Math.round(amps * margin * 10) / 10
  const loaded = c.unit.phases === 3 ? 'threeLoadedA' : 'twoLoadedA'
  const smallest = table.find((r) => r[loaded] >= need)
  if (!smallest) return { ...base, status: 'pending', measured: mm2, message: `${silent}; ${need} A is beyond the pack's ampacity table` }
  const own = [...table].reverse().find((r) => r.mm2 <= mm2)
  const carries = own ? own[loaded] : 0
  const how = `${silent}: IEC 60364-5-52 ampacity, ${c.unit.phases === 3 ? 'three' : 'two'} loaded conductors, must carry ${margin} × ${which} ${amps} A = ${need} A`
  const measured = { ...base, measured: mm2, limit: smallest.mm2 }
  if (carries >= need) return { ...measured, status: 'pass', message: `supply cable ${mm2} mm² carries ${carries} A (${how})` }
  return { ...measured, status: 'fail', severity: 'critical', message: `supply cable ${mm2} mm² carries ${carries} A, at least ${smallest.mm2} mm² needed (${how})` }
}
