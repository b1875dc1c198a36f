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

/** Room areas a capacity suits, m² (both bounds inclusive). */
const RoomBandSchema = z
  .object({ hp: finite().positive(), minM2: finite().positive(), maxM2: finite().positive() })
  .strict()
  .refine((b) => b.minM2 <= b.maxM2, { message: 'minM2 must not exceed maxM2' })

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
    roomAreaByHp: sourced(z.array(RoomBandSchema).min(1)),
    plateScrewsBrickMin: sourced(finite().int().positive()),
    plateScrewsConcreteMin: sourced(finite().int().positive()),
    ceilingPipeInsulationMinMm: sourced(finite().positive()),
    ceilingDrainInsulationMinMm: sourced(finite().positive()),
    cableMinMm2SinglePhase: sourced(hpSteps(finite().positive())),
    cableMinMm2ThreePhase: sourced(hpSteps(finite().positive())),
    bracketBoltsMin: sourced(hpSteps(finite().int().positive())),
    streetFacingMinHeightM: sourced(finite().positive()),
    minPhotos: sourced(finite().int().positive()),
  })
  .strict()
export type InstallationRecordParams = z.infer<typeof InstallationRecordParamsSchema>

/** The row of a step table that applies to `hp`, or undefined when the table stops below it. */
export function stepFor(rows: readonly HpStep[], hp: number): HpStep | undefined {
  return rows.find((r) => r.upToHp === undefined || hp <= r.upToHp)
}
