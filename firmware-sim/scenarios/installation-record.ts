/**
 * The installation record as the installer's app fills it in during the job, each part
 * when the installer can know it: the nameplate once the unit is unpacked, the mounting
 * once the units are on the wall, the cable after the electrical checks, photos, location
 * and barcode after the test run, the customer's signature last (S15, S16). The good
 * record satisfies every clause for a 1.5 HP single-phase split.
 */
import { createHash } from 'node:crypto'
import type { InstallationRecord } from '../../rules/record/record-schema.js'
import { MINUTE_MS, type RecordDeclaration, type StepId, type StepWindowPlan, type UnitSpec } from '../scenario.js'

/** How long after the last step the record is finished (the customer signs last), ms. */
export const RECORD_TAIL_MS = 4 * MINUTE_MS

/** The mounting as installed: each number clears its clause (split-ac pack) for a 1.5 HP unit. */
export const GOOD_MOUNTING: InstallationRecord = {
  roomAreaM2: 18, // S5: 1.5 HP ≈ 3450 W covers up to 19.2 m² at 180 W/m²
  wallHoleSlopesOut: true, // S6: "inside high, outside low"
  wallHoleSealed: true,
  wallMaterial: 'brick',
  plateScrewCount: 7, // S7: brick wall >= 7
  throughCeiling: { copperPipes: true, drain: true }, // the line set crosses a suspended corridor ceiling
  pipeInsulationMm: 13, // S8: >= 13 mm
  drainInsulationMm: 10, // S8: >= 9 mm
  bracketBoltCount: 7, // S10: the seed is silent at 1.5 HP; the nearer count (1 HP) is 6
  plateLoadRatingKg: 80, // S11: >= 60 kg
  bracketLoadRatingKg: 150, // S11: >= 4 × the 32 kg outdoor unit
  outdoorUnitWeightKg: 32,
  streetFacingGroundFloor: false, // S12 does not apply: third-floor balcony
  outdoorGroundFloor: false,
  outdoorHeightM: 8.5,
  workAtHeight: true, // S18: the bracket went up outside the third floor, on a harness
  harnessUsed: true,
}

function photo(caption: string, at: number) {
  // A stand-in for the picture's bytes: deterministic, so timelines stay reproducible.
  return { caption, sha256: createHash('sha256').update(`${caption}@${at}`).digest('hex') }
}

function windowOf(windows: readonly StepWindowPlan[], step: StepId): StepWindowPlan {
  const w = windows.find((x) => x.step === step)
  if (!w) throw new Error(`installation record: no ${step} step in the procedure`)
  return w
}

/**
 * The record declarations for a procedure laid out in `windows`; `overrides` replaces
 * fields of the good record where they are declared (a wrong nameplate, a thin cable...).
 */
export function installationRecord(windows: readonly StepWindowPlan[], unit: UnitSpec, overrides: InstallationRecord = {}): RecordDeclaration[] {
  const unused = new Set(Object.keys(overrides))
  const pick = (fields: InstallationRecord): InstallationRecord => {
    const out: InstallationRecord = { ...fields }
    for (const key of Object.keys(fields) as (keyof InstallationRecord)[]) {
      if (overrides[key] === undefined) continue
      Object.assign(out, { [key]: overrides[key] })
      unused.delete(key)
    }
    return out
  }
  const unpacked = windowOf(windows, 'factory_charge').stop + MINUTE_MS
  const mounted = windowOf(windows, 'tightness').start - 5 * MINUTE_MS
  const wired = windowOf(windows, 'electrical').stop + MINUTE_MS
  const done = windowOf(windows, 'test_run').stop
  const uploaded = done + 2 * MINUTE_MS
  const signed = done + RECORD_TAIL_MS
  const declarations: RecordDeclaration[] = [
    // S3: read from the nameplate, not the carton.
    { at: unpacked, fields: pick({ nameplateModel: unit.model }) },
    { at: mounted, fields: pick(GOOD_MOUNTING) },
    // S9: 1.5-2 HP single-phase needs 2.5 mm².
    { at: wired, fields: pick({ cableCrossSectionMm2: 2.5 }) },
    // S1: after the 30-minute run no water leaks and the condensate drains away from others.
    { at: done + MINUTE_MS, fields: pick({ noWaterLeak: true, condensateDrainOk: true }) },
    {
      at: uploaded,
      fields: pick({
        photos: [photo('indoor unit on the wall', uploaded), photo('outdoor unit on its bracket', uploaded), photo('wall hole sealed, sloping out', uploaded)],
        location: { lat: 23.1291, lon: 113.2644 },
        barcode: '6923456789012',
      }),
    },
    { at: signed, fields: pick({ customerSignature: { name: 'Li Wei', signedAt: signed } }) },
  ]
  if (unused.size > 0) throw new Error(`installation record: no declaration carries ${[...unused].join(', ')}`)
  return declarations
}
