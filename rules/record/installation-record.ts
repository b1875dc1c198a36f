/**
 * The installation record judged against the installation standard (seed §5 ch.7 and the
 * clauses in DOMAIN.md): one check per clause. Pure: the gateway hands in the record so
 * far, the unit and the pack parameters.
 *
 * Undeclared → 'pending' ("not declared yet"); once the installer has confirmed the work
 * order (S15: upload, then confirm), what is still undeclared fails with the check's
 * severity: a rule the installer did not show cannot be taken as kept.
 */
import type { InstalledUnit } from '../../contract/job.js'
import { stepStatusFromChecks, type CheckResult, type StepResult } from '../result.js'
import { harness, outdoorNameplate, wallHole, waterAndCondensate } from './attestations.js'
import { cableCrossSection } from './cable.js'
import { chargeLimit } from './charge-limit.js'
import { bracketBolts, capacityForRoom, loadRatings, outdoorHeight } from './mounting.js'
import { day, undeclared, type Context } from './record-context.js'
import type { InstallationRecord, InstallationRecordParams } from './record-schema.js'

export { InstallationRecordParamsSchema, InstallationRecordSchema, stepFor } from './record-schema.js'
export type { HpStep, InstallationRecord, InstallationRecordParams } from './record-schema.js'

export interface InstallationRecordInput {
  record: InstallationRecord
  unit: InstalledUnit
  params: InstallationRecordParams
  /** The installer confirmed the work order: undeclared items now fail instead of pending. */
  confirmed?: boolean
}

// Invoices and nameplates differ in width of characters and spacing, not in meaning: "KFR-35GW/（35592）" = "KFR-35GW/(35592)".
const normalModel = (m: string) => m.normalize('NFKC').replace(/\s+/g, '').toUpperCase()

function modelMatch(c: Context): CheckResult {
  const base = { id: 'model_match', clause: 'S3' }
  const plate = c.r.nameplateModel ?? c.r.indoorNameplateModel
  if (plate === undefined) return undeclared(c, base, "nameplate model (read from the unit's nameplate, not the carton)", 'major')
  const invoice = c.r.invoiceModel ?? c.unit.invoiceModel
  const problems: string[] = []
  if (normalModel(invoice) !== normalModel(plate)) problems.push(`invoice model ${invoice} does not match the nameplate ${plate}`)
  if (normalModel(c.unit.model) !== normalModel(plate)) problems.push(`nameplate ${plate} is not the job's unit ${c.unit.model}`)
  if (problems.length === 0) return { ...base, status: 'pass', message: `invoice model matches the nameplate ${plate}` }
  // A wrong unit installed means a return and re-install at the installer's cost (art.1, min. 500 yuan).
  return { ...base, status: 'fail', severity: 'major', message: `${problems.join('; ')}: do not install (seed §5 ch.7 art.1, art.23)` }
}

function plateScrews(c: Context): CheckResult {
  const base = { id: 'plate_screws', clause: 'S7' }
  const { wallMaterial: wall, plateScrewCount: count } = c.r
  if (c.p.plateScrewsBrickMin === undefined && c.p.plateScrewsConcreteMin === undefined) {
    return { ...base, status: 'pass', message: 'not applicable: the pack has no wall mounting plate (e.g. ceiling or ducted indoor units)' }
  }
  if (wall === undefined || count === undefined) {
    const what = [wall === undefined ? 'wall material' : '', count === undefined ? 'mounting plate screw count' : ''].filter(Boolean).join(' and ')
    return undeclared(c, base, what, 'critical')
  }
  const limit = wall === 'brick' ? c.p.plateScrewsBrickMin?.value : c.p.plateScrewsConcreteMin?.value
  if (limit === undefined) return { ...base, status: 'pass', message: `not applicable: the pack has no mounting plate rule for a ${wall} wall` }
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
  const checks: CheckResult[] = [modelMatch(c)]
  const outdoorPlate = outdoorNameplate(c)
  if (outdoorPlate) checks.push(outdoorPlate)
  checks.push(capacityForRoom(c))
  const charge = chargeLimit(c)
  if (charge) checks.push(charge)
  checks.push(
    wallHole(c),
    plateScrews(c),
    ceilingInsulation(c),
    cableCrossSection(c),
    bracketBolts(c),
    loadRatings(c),
    outdoorHeight(c),
    waterAndCondensate(c),
    harness(c),
    photosLocationBarcode(c),
    customerSignature(c),
  )
  return { id: 'installation_record', status: stepStatusFromChecks(checks, false), checks }
}
