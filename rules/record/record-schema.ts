/**
 * The installation record: what the installer declares and shows on site (seed §5 ch.7),
 * and the pack parameters it is judged by. Every field is optional: the record fills up
 * during the job by partial updates (a later value of a field replaces the earlier one,
 * so `photos` is always sent whole). Objects are strict: a misspelt field is refused.
 */
import { z } from 'zod'

import { finite, sourced } from '../sourced.js'

const ModelSchema = z.string().trim().min(1).max(100)

/** A customer's signature as captured by the installer's app; signedAt is ms since epoch. */
export const SignatureSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    signedAt: z.number().int().positive(),
  })
  .strict()

export const PhotoSchema = z
  .object({
    url: z.url().optional(),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits').optional(),
    caption: z.string().trim().min(1).max(200),
  })
  .strict()
  .refine((p) => p.url !== undefined || p.sha256 !== undefined, { message: 'a photo needs a url or a sha256' })

export const LocationSchema = z
  .object({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
  })
  .strict()

export const InstallationRecordSchema = z
  .object({
    /** S3: model printed on the purchase invoice; defaults to the job's invoiceModel. */
    invoiceModel: ModelSchema,
    /** S3: model read from the unit's nameplate on site, not from the carton. */
    nameplateModel: ModelSchema,
    /** S5: area of the room the unit cools, m². */
    roomAreaM2: z.number().positive().max(10_000),
    /** S5: the customer's own signed confirmation of a capacity that does not suit the room. */
    customerSignedCapacityException: SignatureSchema,
    /** S7: 'brick' covers brick and composite brick walls; 'concrete' is reinforced concrete. */
    wallMaterial: z.enum(['brick', 'concrete']),
    plateScrewCount: z.number().int().nonnegative().max(100),
    /** S8: what passes through a ceiling. */
    throughCeiling: z.object({ copperPipes: z.boolean(), drain: z.boolean() }).strict(),
    pipeInsulationMm: z.number().nonnegative().max(100),
    drainInsulationMm: z.number().nonnegative().max(100),
    /** S9: supply cable conductor cross-section, mm². */
    cableCrossSectionMm2: z.number().positive().max(500),
    /** S10: M10x100 expansion bolts holding the outdoor bracket (or the unit itself). */
    bracketBoltCount: z.number().int().nonnegative().max(100),
    /** S12: height of the outdoor unit's underside above the ground, m. */
    outdoorHeightM: z.number().nonnegative().max(1_000),
    streetFacingGroundFloor: z.boolean(),
    /** S12 (ch.5 art.5): the outdoor unit is on the ground floor (street-facing or not). */
    outdoorGroundFloor: z.boolean(),
    /** S12 (ch.5 art.5): a ground-level outdoor unit stands behind a safety guard net. */
    outdoorGuardNet: z.boolean(),
    /** S1 attestation: after the 30-minute run no water leaks from the indoor unit. */
    noWaterLeak: z.boolean(),
    /** S1 attestation: the condensate drains where it does not bother others (neighbours, passers-by). */
    condensateDrainOk: z.boolean(),
    /** S6 attestation: the wall hole slopes down to the outside ("inside high, outside low"). */
    wallHoleSlopesOut: z.boolean(),
    /** S6 attestation: the wall hole is sealed (glass glue or cement; addendum art.9: rubber putty and a cover plate). */
    wallHoleSealed: z.boolean(),
    /** S11: rated load of the indoor mounting plate's fixing, kg. */
    plateLoadRatingKg: z.number().positive().max(10_000),
    /** S11: rated load of the outdoor bracket, kg, and the outdoor unit's weight, kg. */
    bracketLoadRatingKg: z.number().positive().max(100_000),
    outdoorUnitWeightKg: z.number().positive().max(10_000),
    /** S18 attestation: was work done more than 2.5 m above the ground outside the wall, and with a harness? */
    workAtHeight: z.boolean(),
    harnessUsed: z.boolean(),
    /** S3: indoor and outdoor nameplates are separate plates with their own models. */
    indoorNameplateModel: ModelSchema,
    outdoorNameplateModel: ModelSchema,
    /** S15: photos, location and barcode scan uploaded after installation. */
    photos: z.array(PhotoSchema).max(50),
    location: LocationSchema,
    barcode: z.string().trim().min(1).max(100),
    /** S16: the customer signed the installation card. */
    customerSignature: SignatureSchema,
  })
  .partial()
  .strict()
export type InstallationRecord = z.infer<typeof InstallationRecordSchema>

/**
 * A step table by capacity: the first row whose upToHp (inclusive) is >= the unit's HP
 * applies; a last row without upToHp applies to everything above. Rows ascend.
 */
function hpSteps<T extends z.ZodType>(min: T) {
  return z
    .array(z.object({ upToHp: finite().positive().optional(), min }).strict())
    .min(1)
    .refine((rows) => rows.every((r, i) => i === rows.length - 1 || r.upToHp !== undefined), { message: 'only the last row may omit upToHp' })
    .refine((rows) => rows.every((r, i) => i === 0 || (r.upToHp ?? Infinity) > (rows[i - 1]?.upToHp ?? Infinity)), {
      message: 'rows must ascend by upToHp',
    })
}
export type HpStep = { upToHp?: number | undefined; min: number }

export const InstallationRecordParamsSchema = z
  .object({
    /** S5: cooling capacity per HP the judgement assumes, W (the unit's own capacity wins when given). */
    coolingWPerHp: sourced(finite().positive()),
    /** S5: room cooling load the capacity must cover, W/m²: above it the unit is too small for the room. */
    roomLoadWPerM2: sourced(finite().positive()),
    plateScrewsBrickMin: sourced(finite().int().positive()).optional(),
    plateScrewsConcreteMin: sourced(finite().int().positive()).optional(),
    ceilingPipeInsulationMinMm: sourced(finite().positive()),
    ceilingDrainInsulationMinMm: sourced(finite().positive()),
    cableMinMm2SinglePhase: sourced(hpSteps(finite().positive())),
    cableMinMm2ThreePhase: sourced(hpSteps(finite().positive())),
    /**
     * S10: the seed's two fixed points, 1 HP (and below) and 3 HP (and above). Between them
     * the seed is silent: see rules/record/mounting.ts. Absent: the pack's units do not hang
     * on expansion-bolted brackets (e.g. VRF outdoor units on a base frame), no check.
     */
    bracketBolts: sourced(
      z
        .object({ smallUpToHp: finite().positive(), smallMin: finite().int().positive(), largeFromHp: finite().positive(), largeMin: finite().int().positive() })
        .strict()
        .refine((b) => b.smallUpToHp < b.largeFromHp && b.smallMin <= b.largeMin, { message: 'smallUpToHp must be below largeFromHp and smallMin at most largeMin' }),
    ).optional(),
    /** S9 where the seed is silent: conductor ampacity by cross-section (IEC 60364-5-52), A. */
    cableAmpacity: sourced(
      z
        .array(z.object({ mm2: finite().positive(), twoLoadedA: finite().positive(), threeLoadedA: finite().positive() }).strict())
        .min(1)
        .refine((rows) => rows.every((r, i) => i === 0 || r.mm2 > (rows[i - 1]?.mm2 ?? Infinity)), { message: 'rows must ascend by mm2' }),
    ).optional(),
    /** S9 ampacity rule: the conductor must carry this × the unit's current (nameplate maximum, else rated). */
    cableCurrentMarginRatio: sourced(finite().min(1)).optional(),
    streetFacingMinHeightM: sourced(finite().positive()),
    /** S12 (ch.5 art.5): any ground-floor outdoor unit at least this high, or behind a guard net, m. */
    groundFloorMinHeightM: sourced(finite().positive()),
    /** S11: indoor mounting plate holds at least this, kg (ch.7 art.19; addendum art.4). */
    plateMinLoadKg: sourced(finite().positive()),
    /** S11: outdoor bracket holds at least this × the unit's weight (ch.7 art.19: 4; addendum art.4: 3). */
    bracketMinLoadFactor: sourced(finite().positive()),
    /** Flammable refrigerants: charge limit against room area (IEC 60335-2-40 Annex GG); absent: not checked. */
    flammableChargeLimit: sourced(
      z
        .object({
          /** Lower flammability limit by refrigerant, kg/m³ (IEC 60335-2-40 Annex BB / ISO 817). */
          lflKgM3: z.record(z.string(), finite().positive()),
          /** Release height h0 of the indoor unit, m (GG.2: 0.6 floor, 1.0 window, 1.8 wall, 2.2 ceiling). */
          h0M: finite().positive(),
        })
        .strict(),
    ).optional(),
    minPhotos: sourced(finite().int().positive()),
  })
  .strict()
export type InstallationRecordParams = z.infer<typeof InstallationRecordParamsSchema>

/** The row of a step table that applies to `hp`, or undefined when the table stops below it. */
export function stepFor(rows: readonly HpStep[], hp: number): HpStep | undefined {
  return rows.find((r) => r.upToHp === undefined || hp <= r.upToHp)
}
