/**
 * Record checks about the room, the fixings and where the outdoor unit stands: S5, S10,
 * S11, S12 (seed §5 ch.7 art.3, 18, 19, 20; ch.5 art.5; addendum art.4). Pure.
 */
import type { CheckResult } from '../result.js'
import { day, round, undeclared, type Context } from './record-context.js'

/**
 * S5 (ch.7 art.3): the capacity must suit the room, "with the capacity fixed, the smaller
 * the room the better it cools". So the clause is about a unit too small for its room: the
 * unit's cooling capacity against the room's load (area × W/m²). Every size gets a verdict;
 * a small room never fails.
 */
export function capacityForRoom(c: Context): CheckResult {
  const base = { id: 'capacity_for_room', clause: 'S5', unit: 'm²' }
  const area = c.r.roomAreaM2
  if (area === undefined) return undeclared(c, base, 'room area', 'major')
  const capW = c.unit.coolingCapacityW ?? c.unit.capacityHp * c.p.coolingWPerHp.value
  const capText = c.unit.coolingCapacityW !== undefined ? `rated ${capW} W` : `${c.unit.capacityHp} HP ≈ ${round(capW, 0)} W at ${c.p.coolingWPerHp.value} W/HP`
  const load = c.p.roomLoadWPerM2.value
  const maxArea = round(capW / load)
  const suits = `${capText} covers up to ${maxArea} m² at ${load} W/m²`
  if (area <= maxArea) return { ...base, status: 'pass', measured: area, limit: maxArea, message: `room ${area} m²: ${suits} (a smaller room cools better, seed §5 ch.7 art.3)` }
  const sig = c.r.customerSignedCapacityException
  if (sig) return { ...base, status: 'pass', measured: area, limit: maxArea, message: `room ${area} m² is larger than ${suits}; customer ${sig.name} signed the exception on ${day(sig.signedAt)}` }
  return {
    ...base,
    status: 'fail',
    severity: 'major',
    measured: area,
    limit: maxArea,
    message: `room ${area} m² is too large: ${suits}, the unit is too small to cool it; install only with the customer's own signed confirmation (seed §5 ch.7 art.3)`,
  }
}

/**
 * S10 (ch.7 art.18): 1 HP at least 6, 3 HP and above at least 10 M10x100 expansion bolts.
 * For 1.5-2.5 HP the seed is silent. Fewer than the 1 HP count fails (critical): a heavier
 * unit cannot need fewer bolts than the lightest. Below the count of the nearer fixed point
 * (the stricter one when equally near) it warns, saying the seed is silent.
 */
export function bracketBolts(c: Context): CheckResult {
  const base = { id: 'bracket_bolts', clause: 'S10', unit: 'bolts' }
  const count = c.r.bracketBoltCount
  if (count === undefined) return undeclared(c, base, 'outdoor bracket expansion bolt count', 'critical')
  const hp = c.unit.capacityHp
  const b = c.p.bracketBolts?.value
  if (!b) return { ...base, status: 'pass', message: 'not applicable: the pack has no bracket bolt rule for its units' }
  const fixed = hp <= b.smallUpToHp ? b.smallMin : hp >= b.largeFromHp ? b.largeMin : undefined
  const fall = 'the outdoor unit may fall (seed §5 ch.7 art.18 penalises each missing bolt)'
  if (fixed !== undefined) {
    const measured = { ...base, measured: count, limit: fixed }
    if (count >= fixed) return { ...measured, status: 'pass', message: `${count} M10x100 expansion bolts for a ${hp} HP outdoor unit (at least ${fixed}, seed §5 ch.7 art.18)` }
    return { ...measured, status: 'fail', severity: 'critical', message: `${count} M10x100 expansion bolts for a ${hp} HP outdoor unit, ${fixed - count} short of ${fixed}: ${fall}` }
  }
  const nearer = hp - b.smallUpToHp < b.largeFromHp - hp ? b.smallMin : b.largeMin
  const silent = `the seed gives ${b.smallMin} for ${b.smallUpToHp} HP and ${b.largeMin} from ${b.largeFromHp} HP and is silent for ${hp} HP`
  if (count < b.smallMin) {
    return { ...base, measured: count, limit: b.smallMin, status: 'fail', severity: 'critical', message: `${count} expansion bolts for a ${hp} HP outdoor unit: fewer than the ${b.smallMin} the seed asks of a ${b.smallUpToHp} HP unit; ${fall}` }
  }
  if (count < nearer) {
    return { ...base, measured: count, limit: nearer, status: 'warn', severity: 'minor', message: `${count} expansion bolts for a ${hp} HP outdoor unit; ${silent}: the nearer stricter count is ${nearer}, check the bracket maker's instructions` }
  }
  return { ...base, measured: count, limit: nearer, status: 'pass', message: `${count} expansion bolts for a ${hp} HP outdoor unit (${silent}; at least the nearer count ${nearer})` }
}

/**
 * S12: street-facing at ground floor at least 2.5 m (ch.7 art.20, no exception); any
 * ground-floor outdoor unit at least 2 m up, or on the ground only behind a guard net
 * (ch.5 art.5).
 */
export function outdoorHeight(c: Context): CheckResult {
  const base = { id: 'outdoor_height', clause: 'S12' }
  const street = c.r.streetFacingGroundFloor
  // A street-facing ground-floor unit is on the ground floor whatever else was declared.
  const ground = street === true ? true : c.r.outdoorGroundFloor
  if (ground === undefined) return undeclared(c, base, 'whether the outdoor unit is on the ground floor', 'major')
  if (!ground) return { ...base, status: 'pass', message: 'not applicable: the outdoor unit is not on the ground floor' }
  if (street === undefined) return undeclared(c, base, 'whether the ground-floor outdoor unit faces a street', 'major')
  const h = c.r.outdoorHeightM
  if (h === undefined) return undeclared(c, base, 'outdoor unit height above the ground', 'major')
  if (street) {
    const limit = c.p.streetFacingMinHeightM.value
    const measured = { ...base, measured: h, limit, unit: 'm' }
    if (h >= limit) return { ...measured, status: 'pass', message: `street-facing ground-floor outdoor unit ${h} m up (at least ${limit} m)` }
    return { ...measured, status: 'fail', severity: 'major', message: `street-facing ground-floor outdoor unit only ${h} m up, at least ${limit} m required: passers-by can walk into it (seed §5 ch.7 art.20)` }
  }
  const limit = c.p.groundFloorMinHeightM.value
  const measured = { ...base, measured: h, limit, unit: 'm' }
  if (h >= limit) return { ...measured, status: 'pass', message: `ground-floor outdoor unit ${h} m up (at least ${limit} m, seed §5 ch.5 art.5)` }
  if (c.r.outdoorGuardNet === true) return { ...measured, status: 'pass', message: `ground-floor outdoor unit ${h} m up behind a safety guard net (seed §5 ch.5 art.5)` }
  if (c.r.outdoorGuardNet === undefined) return undeclared(c, measured, `guard net around the ground-floor outdoor unit ${h} m up (below ${limit} m one is required)`, 'major')
  return { ...measured, status: 'fail', severity: 'major', message: `ground-floor outdoor unit only ${h} m up without a guard net: at least ${limit} m, or a safety guard net on the ground (seed §5 ch.5 art.5)` }
}

/**
 * S11 (ch.7 art.19): the indoor plate holds at least 60 kg; the outdoor bracket at least 4 ×
 * the unit's weight (addendum art.4 says 3 ×; the pack takes the stricter ch.7 value).
 */
export function loadRatings(c: Context): CheckResult {
  const base = { id: 'mounting_load', clause: 'S11' }
  const { plateLoadRatingKg: plate, bracketLoadRatingKg: bracket, outdoorUnitWeightKg: weight } = c.r
  const missing = [plate === undefined ? 'mounting plate load rating' : '', bracket === undefined ? 'outdoor bracket load rating' : '', weight === undefined ? 'outdoor unit weight' : ''].filter(Boolean)
  if (plate === undefined || bracket === undefined || weight === undefined) return undeclared(c, base, missing.join(', '), 'critical')
  const plateMin = c.p.plateMinLoadKg.value
  const factor = c.p.bracketMinLoadFactor.value
  const bracketMin = round(weight * factor)
  const problems: string[] = []
  if (plate < plateMin) problems.push(`mounting plate rated ${plate} kg, at least ${plateMin} kg required`)
  if (bracket < bracketMin) problems.push(`outdoor bracket rated ${bracket} kg, at least ${factor} × the unit's ${weight} kg = ${bracketMin} kg required`)
  if (problems.length > 0) return { ...base, status: 'fail', severity: 'critical', message: `${problems.join('; ')}: the unit may fall (seed §5 ch.7 art.19)` }
  return { ...base, status: 'pass', message: `mounting plate rated ${plate} kg (at least ${plateMin}); outdoor bracket ${bracket} kg for a ${weight} kg unit (at least ${factor} ×)` }
}
