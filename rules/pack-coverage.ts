/**
 * Does a pack cover a unit? A pack's `appliesTo` names the refrigerants, unit types and
 * capacity range it was written for; judging an R290 unit by R32 pressures, or a VRF by a
 * split's hold time, gives a verdict about a different machine. Pure.
 */
import type { InstalledUnit } from '../contract/job.js'
import type { RulePack } from './pack-schema.js'

// As the record compares models: full-width characters, case and spaces do not count.
const normalModel = (m: string) => m.normalize('NFKC').replace(/\s+/g, '').toUpperCase()

/** Why the pack does not cover the unit: one sentence per mismatch; empty when it does. */
export function packMismatches(pack: RulePack, unit: InstalledUnit): string[] {
  const a = pack.appliesTo
  const out: string[] = []
  const refrigerant = unit.refrigerant.trim().toUpperCase()
  if (a.refrigerants && !a.refrigerants.includes(refrigerant)) {
    out.push(`refrigerant ${unit.refrigerant} is not one of ${a.refrigerants.join(', ')}`)
  }
  if (a.unitTypes) {
    if (unit.type === undefined) out.push(`unit.type is missing (the pack is for unit types ${a.unitTypes.join(', ')})`)
    else if (!a.unitTypes.includes(unit.type)) out.push(`unit type ${unit.type} is not one of ${a.unitTypes.join(', ')}`)
  }
  if (a.models && !a.models.some((m) => normalModel(unit.model).startsWith(normalModel(m)))) {
    out.push(`model ${unit.model} is not one the pack is written for (${a.models.join(', ')})`)
  }
  if (a.minCapacityHp !== undefined && unit.capacityHp < a.minCapacityHp) out.push(`${unit.capacityHp} HP is below the pack's ${a.minCapacityHp} HP`)
  if (a.maxCapacityHp !== undefined && unit.capacityHp > a.maxCapacityHp) out.push(`${unit.capacityHp} HP is above the pack's ${a.maxCapacityHp} HP`)
  return out
}

/** Ids of the packs that do cover the unit, for the error message of a refused job. */
export function packsCovering(packs: Iterable<RulePack>, unit: InstalledUnit): string[] {
  const ids: string[] = []
  for (const p of packs) if (packMismatches(p, unit).length === 0) ids.push(p.id)
  return ids
}
