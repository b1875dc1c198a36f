/**
 * The installation record judged against the installation standard (seed §5 ch.7 and the
 * clauses in DOMAIN.md): one check per clause. Pure: the gateway hands in the record so
 * far, the unit and the pack parameters.
 *
 * Undeclared → 'pending' ("not declared yet"); once the installer has confirmed the work
 * order (S15: upload, then confirm), what is still undeclared fails with the check's
 * severity: a rule the installer did not show cannot be taken as kept.
 */
import type { InstalledUnit } from '../../gateway/jobs/job.js'
import { stepStatusFromChecks, type CheckResult, type Severity, type StepResult } from '../result.js'
import { stepFor, type InstallationRecord, type InstallationRecordParams } from './record-schema.js'

export { InstallationRecordParamsSchema, InstallationRecordSchema, stepFor } from './record-schema.js'
export type { HpStep, InstallationRecord, InstallationRecordParams } from './record-schema.js'

export interface InstallationRecordInput {
  record: InstallationRecord
  unit: InstalledUnit
  params: InstallationRecordParams
  /** The installer confirmed the work order: undeclared items now fail instead of pending. */
  confirmed?: boolean
}

interface Context {
  r: InstallationRecord
  unit: InstalledUnit
  p: InstallationRecordParams
  confirmed: boolean
}

interface Base {
  id: string
  clause: string
}

/** Pending while the installer can still declare it; a failure once the work order is confirmed. */
function undeclared(c: Context, base: Base, what: string, severity: Severity): CheckResult {
  if (!c.confirmed) return { ...base, status: 'pending', message: `${what} not declared yet` }
  return { ...base, status: 'fail', severity, message: `${what} not declared, but the work order was confirmed` }
}

/** "2025-01-15" (UTC): a date for messages, not a time zone claim. */
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

// Invoices and nameplates differ in width of characters and spacing, not in meaning: "KFR-35GW/（35592）" = "KFR-35GW/(35592)".
const normalModel = (m: string) => m.normalize('NFKC').replace(/\s+/g, '').toUpperCase()

function modelMatch(c: Context): CheckResult {
  const base = { id: 'model_match', clause: 'S3' }
  const plate = c.r.nameplateModel
  if (plate === undefined) return undeclared(c, base, "nameplate model (read from the unit's nameplate, not the carton)", 'major')
  const invoice = c.r.invoiceModel ?? c.unit.invoiceModel
  const problems: string[] = []
  if (normalModel(invoice) !== normalModel(plate)) problems.push(`invoice model ${invoice} does not match the nameplate ${plate}`)
  if (normalModel(c.unit.model) !== normalModel(plate)) problems.push(`nameplate ${plate} is not the job's unit ${c.unit.model}`)
  if (problems.length === 0) return { ...base, status: 'pass', message: `invoice model matches the nameplate ${plate}` }
  // A wrong unit installed means a return and re-install at the installer's cost (art.1, min. 500 yuan).
  return { ...base, status: 'fail', severity: 'major', message: `${problems.join('; ')}: do not install (seed §5 ch.7 art.1, art.23)` }
}

function capacityForRoom(c: Context): CheckResult {
  const base = { id: 'capacity_for_room', clause: 'S5', unit: 'm²' }
  const hp = c.unit.capacityHp
  const area = c.r.roomAreaM2
  if (area === undefined) return undeclared(c, base, 'room area', 'major')
  const band = c.p.roomAreaByHp.value.find((b) => b.hp === hp)
  if (!band) return { ...base, status: 'pending', measured: area, message: `the pack has no room-area band for ${hp} HP: ${area} m² cannot be judged` }
  const suits = `${hp} HP suits ${band.minM2}-${band.maxM2} m²`
  if (area >= band.minM2 && area <= band.maxM2) return { ...base, status: 'pass', measured: area, message: `room ${area} m²: ${suits}` }
  const tooBig = area > band.maxM2
  const limit = tooBig ? band.maxM2 : band.minM2
  const sig = c.r.customerSignedCapacityException
  if (sig) {
    return { ...base, status: 'pass', measured: area, limit, message: `room ${area} m² outside ${suits}; customer ${sig.name} signed the exception on ${day(sig.signedAt)}` }
  }
  // Seed art.3: "with capacity fixed, the smaller the room the better it cools": an undersized unit is the real failure.
  const [severity, why]: [Severity, string] = tooBig ? ['major', 'the unit is too small to cool it'] : ['minor', 'the unit is oversized']
  return { ...base, status: 'fail', severity, measured: area, limit, message: `room ${area} m² outside ${suits}: ${why}; install only with the customer's signed confirmation (seed §5 ch.7 art.3)` }
}

function plateScrews(c: Context): CheckResult {
  const base = { id: 'plate_screws', clause: 'S7' }
  const { wallMaterial: wall, plateScrewCount: count } = c.r
  if (wall === undefined || count === undefined) {
    const what = [wall === undefined ? 'wall material' : '', count === undefined ? 'mounting plate screw count' : ''].filter(Boolean).join(' and ')
    return undeclared(c, base, what, 'critical')
  }
  const limit = wall === 'brick' ? c.p.plateScrewsBrickMin.value : c.p.plateScrewsConcreteMin.value
  const wallText = wall === 'brick' ? 'brick wall' : 'reinforced concrete wall'
  const measured = { ...base, measured: count, limit, unit: 'screws' }
  if (count >= limit) return { ...measured, status: 'pass', message: `${count} screws in the mounting plate on a ${wallText} (at least ${limit})` }
  // A badly fixed plate drops the indoor unit (seed §5 ch.7 art.8).
  return { ...measured, status: 'fail', severity: 'critical', message: `${count} screws in the mounting plate on a ${wallText}, at least ${limit} required: the indoor unit may fall` }
}

function ceilingInsulation(c: Context): CheckResult {
  const base = { id: 'ceiling_insulation', clause: 'S8' }
  const through = c.r.throughCeiling
  if (!through) return undeclared(c, base, 'whether pipes or the drain pass through a ceiling', 'major')
  if (!through.copperPipes && !through.drain) return { ...base, status: 'pass', message: 'not applicable: no pipes or drain through a ceiling' }
  const items = [
    { on: through.copperPipes, what: 'copper pipe insulation', mm: c.r.pipeInsulationMm, min: c.p.ceilingPipeInsulationMinMm.value },
    { on: through.drain, what: 'drain pipe insulation', mm: c.r.drainInsulationMm, min: c.p.ceilingDrainInsulationMinMm.value },
  ].filter((i) => i.on)
  const missing = items.filter((i) => i.mm === undefined)
  if (missing.length > 0) return undeclared(c, base, `${missing.map((i) => i.what).join(' and ')} thickness`, 'major')
  const only = items.length === 1 && items[0] ? { measured: items[0].mm, limit: items[0].min, unit: 'mm' } : {}
  const thin = items.filter((i) => (i.mm ?? 0) < i.min)
  const text = (i: (typeof items)[number]) => `${i.what} ${i.mm} mm (at least ${i.min} mm)`
  if (thin.length === 0) return { ...base, ...only, status: 'pass', message: `through the ceiling: ${items.map(text).join(', ')}` }
  // Thin insulation sweats: condensate drips through the customer's ceiling (art.14 charges the installer).
  return { ...base, ...only, status: 'fail', severity: 'major', message: `through the ceiling: ${thin.map(text).join(', ')}: condensate will drip` }
}

function cableCrossSection(c: Context): CheckResult {
  const base = { id: 'cable_cross_section', clause: 'S9', unit: 'mm²' }
  const mm2 = c.r.cableCrossSectionMm2
  if (mm2 === undefined) return undeclared(c, base, 'supply cable cross-section', 'critical')
  const hp = c.unit.capacityHp
  const phase = c.unit.phases === 3 ? 'three-phase' : 'single-phase'
  const rows = c.unit.phases === 3 ? c.p.cableMinMm2ThreePhase.value : c.p.cableMinMm2SinglePhase.value
  const row = stepFor(rows, hp)
  if (!row) return { ...base, status: 'pending', measured: mm2, message: `the pack has no cable rule for a ${hp} HP ${phase} unit: ${mm2} mm² cannot be judged` }
  const measured = { ...base, measured: mm2, limit: row.min }
  if (mm2 >= row.min) return { ...measured, status: 'pass', message: `supply cable ${mm2} mm² for a ${hp} HP ${phase} unit (at least ${row.min} mm²)` }
  // An undersized conductor overheats under the compressor's current: a fire hazard.
  return { ...measured, status: 'fail', severity: 'critical', message: `supply cable ${mm2} mm² is undersized for a ${hp} HP ${phase} unit: at least ${row.min} mm² (seed §5 ch.7 art.15)` }
}

function bracketBolts(c: Context): CheckResult {
  const base = { id: 'bracket_bolts', clause: 'S10', unit: 'bolts' }
  const count = c.r.bracketBoltCount
  if (count === undefined) return undeclared(c, base, 'outdoor bracket expansion bolt count', 'critical')
  const hp = c.unit.capacityHp
  const row = stepFor(c.p.bracketBoltsMin.value, hp)
  if (!row) return { ...base, status: 'pending', measured: count, message: `the pack has no bracket bolt rule for a ${hp} HP unit` }
  const measured = { ...base, measured: count, limit: row.min }
  if (count >= row.min) return { ...measured, status: 'pass', message: `${count} M10x100 expansion bolts for a ${hp} HP outdoor unit (at least ${row.min})` }
  const short = row.min - count
  return {
    ...measured,
    status: 'fail',
    severity: 'critical',
    message: `${count} M10x100 expansion bolts for a ${hp} HP outdoor unit, ${short} short of ${row.min}: the outdoor unit may fall (seed §5 ch.7 art.18 penalises each missing bolt)`,
  }
}

function outdoorHeight(c: Context): CheckResult {
  const base = { id: 'outdoor_height', clause: 'S12' }
  const street = c.r.streetFacingGroundFloor
  if (street === undefined) return undeclared(c, base, 'whether the outdoor unit faces a street at ground floor', 'major')
  if (!street) return { ...base, status: 'pass', message: 'not applicable: the outdoor unit does not face a street at ground floor' }
  const h = c.r.outdoorHeightM
  if (h === undefined) return undeclared(c, base, 'outdoor unit height above the ground', 'major')
  const limit = c.p.streetFacingMinHeightM.value
  const measured = { ...base, measured: h, limit, unit: 'm' }
  if (h >= limit) return { ...measured, status: 'pass', message: `street-facing ground-floor outdoor unit ${h} m up (at least ${limit} m)` }
  return { ...measured, status: 'fail', severity: 'major', message: `street-facing ground-floor outdoor unit only ${h} m up, at least ${limit} m required: passers-by can walk into it (seed §5 ch.7 art.20)` }
}

function photosLocationBarcode(c: Context): CheckResult {
  const base = { id: 'photos_location_barcode', clause: 'S15' }
  const min = c.p.minPhotos.value
  const photos = c.r.photos?.length ?? 0
  const missing: string[] = []
  if (photos < min) missing.push(photos === 0 ? 'photos' : `photos (${photos} of ${min})`)
  if (!c.r.location) missing.push('location')
  if (c.r.barcode === undefined) missing.push('barcode scan')
  if (missing.length > 0) return undeclared(c, base, missing.join(', '), 'minor')
  return { ...base, status: 'pass', measured: photos, limit: min, unit: 'photos', message: `${photos} photos, location and barcode ${c.r.barcode} uploaded` }
}

function customerSignature(c: Context): CheckResult {
  const base = { id: 'customer_signature', clause: 'S16' }
  const sig = c.r.customerSignature
  if (!sig) return undeclared(c, base, "customer's signature on the installation card", 'minor')
  return { ...base, status: 'pass', message: `installation card signed by ${sig.name} on ${day(sig.signedAt)}` }
}

export function evaluateInstallationRecord(input: InstallationRecordInput): StepResult {
  const c: Context = { r: input.record, unit: input.unit, p: input.params, confirmed: input.confirmed ?? false }
  const checks = [
    modelMatch(c),
    capacityForRoom(c),
    plateScrews(c),
    ceilingInsulation(c),
    cableCrossSection(c),
    bracketBolts(c),
    outdoorHeight(c),
    photosLocationBarcode(c),
    customerSignature(c),
  ]
  return { id: 'installation_record', status: stepStatusFromChecks(checks, false), checks }
}
