/** The tightness step's pack parameters and input: what the arrays path (tightness.ts) and the summary path share. */
import { z } from 'zod'

import { finite, sourced } from '../sourced.js'
import type { StepInput } from './series.js'
import { StagesParamSchema } from './tightness-stages.js'
import { UncertaintyParamsSchema } from './tightness-uncertainty.js'

export const TightnessParamsSchema = z
  .object({
    /** The pressure the system must be filled to and held at, kPa(g). */
    testPressureKpaG: sourced(finite().positive()),
    /** The fill may not exceed this, kPa(g) (the system's design pressure; thermal drift during a hold is not a fill). */
    maxPressureKpaG: sourced(finite().positive()),
    /** Shortest hold at test pressure that passes, seconds. */
    holdS: sourced(finite().int().positive()),
    /** Meter accuracy defaults for the allowed drop (a meter's declared accuracy replaces them). */
    uncertainty: UncertaintyParamsSchema,
    /** Staged fill before the test pressure, where the manufacturer demands it. */
    stages: StagesParamSchema.optional(),
    /** How far from a stage's level the pressure may sit and still count as that stage, %. */
    stageTolerancePct: sourced(finite().positive().max(50)).optional(),
  })
  .strict()
  .refine((p) => p.maxPressureKpaG.value >= p.testPressureKpaG.value, { message: 'must be at least testPressureKpaG', path: ['maxPressureKpaG', 'value'] })

export type TightnessParams = z.infer<typeof TightnessParamsSchema>

/** Everything but the readings: what both ways in (arrays, or windows and a summary) share. */
export type TightnessCommon = Omit<TightnessInput, 'readings'>

/** `facts.gas` is the test gas the installer declared. */
export interface TightnessInput extends StepInput<TightnessParams> {
  /** The unit's nameplate design pressure (high side), kPa(g): caps the test pressure. */
  designPressureKpaG?: number | undefined
  /** Atmospheric pressure at the site, kPa (gauge ↔ absolute); default the standard atmosphere. */
  atmosphereKpa?: number | undefined
  /** How atmosphereKpa was found (rules/site-atmosphere.ts), named in the drop check's message. */
  atmosphereBasis?: string | undefined
}
