/** A job is one installation being commissioned. Schemas shared by the HTTP API and the repository. */
import { z } from 'zod'
import { CHANNEL_NAMES, type ChannelName } from './channels.js'
import { OverrideStatusSchema } from './verdict.js'

/** The measured steps of a cooling installation, in procedure order. */
export const STEP_IDS = ['power_test', 'factory_charge', 'tightness', 'evacuation', 'electrical', 'test_run'] as const
/** Every step a pack can check: heat pumps add the heating-mode test run after the cooling one. */
export const ALL_STEP_IDS = [...STEP_IDS, 'test_run_heating'] as const
export const StepIdSchema = z.enum(ALL_STEP_IDS)
export type StepId = z.infer<typeof StepIdSchema>

// Ids appear in MQTT topics and URLs: no '/', '+', '#', spaces or control characters.
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit')

/** Unit types a pack can name in appliesTo.unitTypes. */
export const UNIT_TYPES = ['split', 'multi-split', 'vrf', 'heat-pump-split', 'air-to-water-heat-pump'] as const
export type UnitType = (typeof UNIT_TYPES)[number]

export const UnitSchema = z
  .object({
    model: z.string().min(1).max(100).describe('Model on the unit nameplate'),
    invoiceModel: z.string().min(1).max(100).describe('Model on the purchase invoice (S3)'),
    capacityHp: z.number().positive().max(100),
    refrigerant: z.string().min(1).max(20),
    phases: z.union([z.literal(1), z.literal(3)]),
    ratedCurrentA: z.number().positive().max(500),
    designPressureKpaG: z.number().positive().max(10_000).optional().describe('Nameplate design pressure (high side), kPa(g): caps the tightness test pressure'),
    // --- unit data for packs and the test run (issue 10, helper H) ---
    /** What kind of unit it is: a pack's appliesTo.unitTypes is checked against it at job creation. */
    type: z.enum(UNIT_TYPES).optional(),
    /** Nameplate maximum current, A: an inverter draws up to it during pull-down (the rated current is the rated point). */
    maxCurrentA: z.number().positive().max(500).optional(),
    /** Service ports the unit has; a ductless split usually has only the low-side (suction) port. Absent: the pack's default. */
    ports: z.object({ lowSide: z.boolean(), highSide: z.boolean() }).strict().optional(),
    /** Metering device: fixed-orifice and capillary units are charged to a target superheat from the air conditions. */
    meteringDevice: z.enum(['txv', 'eev', 'fixed-orifice', 'capillary']).optional(),
    /** Reverse-cycle unit: it has a heating test run. */
    heatPump: z.boolean().optional(),
    /** Rated cooling capacity on the nameplate, W (S5 judges the room against it; else capacityHp × the pack's W per HP). */
    coolingCapacityW: z.number().positive().max(1_000_000).optional(),
    /** Outdoor unit model on its own nameplate (split sets have two plates). */
    outdoorModel: z.string().min(1).max(100).optional(),
    /** Refrigerant charge on the nameplate (factory + added), kg: flammable-refrigerant charge limit (IEC 60335-2-40 Annex GG). */
    chargeKg: z.number().positive().max(1000).optional(),
    /** Indoor unit installation height (floor to the unit's underside), m: Annex GG h0. */
    indoorHeightM: z.number().positive().max(20).optional(),
    /** Site: elevation above sea level, m, or the measured atmospheric pressure, kPa (gauge ↔ absolute). */
    siteElevationM: z.number().min(-500).max(6000).optional(),
    siteAtmosphericKpa: z.number().min(40).max(110).optional(),
    // --- end unit data (helper H) ---
  })
  .strict()
  .refine((u) => u.maxCurrentA === undefined || u.maxCurrentA >= u.ratedCurrentA, {
    message: 'maxCurrentA (nameplate maximum) must not be below ratedCurrentA',
    path: ['maxCurrentA'],
  })
export type InstalledUnit = z.infer<typeof UnitSchema>

export interface Job {
  id: string
  /** Who installs it: repeated leak call-backs are counted per installer (T4). */
  installerId: string | null
  rulePack: { id: string; version: string }
  unit: InstalledUnit
  createdAt: number
}

export interface Attachment {
  deviceId: string
  attachedAt: number
  detachedAt: number | null
  /** What each channel of the device measures on this job, e.g. { current_a: 'compressor' } (rules/steps/test-run/sources.ts). */
  roles?: Partial<Record<ChannelName, string>>
}

/** Roles sent when attaching: channel → role name (e.g. "compressor", "indoor"). */
export const ChannelRolesSchema = z
  .partialRecord(z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]), z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a lower-case role name, e.g. "compressor"'))
  .describe('What each channel of this device measures on the job: e.g. {"current_a": "compressor"} for the outdoor clamp, {"current_a": "indoor"} for the indoor unit')

/** A step's window from the installer's markers, ms. No stop: the step is still running. */
export const StepWindowSchema = z.object({ start: z.number(), stop: z.number().optional() })
export type StepWindow = z.infer<typeof StepWindowSchema>

export interface StepMarker {
  step: StepId
  action: 'start' | 'stop'
  at: number
  receivedAt: number
  facts: Record<string, unknown>
}

/** A quality reviewer's override of one check: kept beside the original result, never replacing it. */
export const OverrideBodySchema = z
  .object({
    step: z.string().min(1).max(40),
    check: z.string().min(1).max(60),
    status: OverrideStatusSchema,
    reason: z.string().trim().min(5, 'say why (at least 5 characters)').max(2000),
    by: z.string().trim().min(1).max(100).describe('Who decided (a quality reviewer)'),
  })
  .strict()

/** The override as stored and shown (the body plus when it was made): one schema, in contract/verdict.ts. */
export type { CheckOverride } from './verdict.js'
