/**
 * The rule pack schema. A pack is data (YAML under rules/packs/): which units it applies
 * to and the parameters of each step. Every number carries its source, so a pack reads
 * as its own justification. Objects are strict: a misspelt key is refused at start, not
 * silently ignored (a typo in `maxGapS` must not quietly fall back to nothing).
 */
import { z } from 'zod'

import { UNIT_TYPES } from '../contract/job.js'
import { FaultsSectionSchema } from './faults/fault-pack-schema.js'
import { InstallationRecordParamsSchema } from './record/installation-record.js'
import { finite, sourced } from './sourced.js'
import { TEST_RUN_CHECK_PARAMS } from './steps/test-run/params.js'
import { ElectricalParamsSchema } from './steps/electrical.js'
import { EvacuationParamsSchema } from './steps/evacuation.js'
import { FactoryChargeParamsSchema } from './steps/factory-charge.js'
import { PowerTestParamsSchema } from './steps/power-test.js'
import { TightnessParamsSchema } from './steps/tightness.js'

export const TestRunParamsSchema = z
  .object({
    /** Shortest continuous run that passes, seconds. */
    minDurationS: sourced(finite().int().positive()),
    /** A gap between readings longer than this breaks continuity, seconds. */
    maxGapS: sourced(finite().positive()),
    /** The unit counts as running at a reading with current >= this, amperes. */
    runningCurrentMinA: sourced(finite().positive()),
    /** Running current must stay <= rated current × this ratio (when the unit's nameplate maximum is not given). */
    currentMaxRatioOfRated: sourced(finite().positive()),
    /**
     * Inverter pull-down: with the nameplate maximum current given, current above rated × ratio
     * is normal for this long after each start; later it warns. Absent: no warning above rated.
     */
    pullDownS: sourced(finite().nonnegative()).optional(),
    /** Current limits are not applied during the first seconds of each run (inrush), seconds. */
    startupGraceS: sourced(finite().nonnegative()),
    /** A reading received more than this after its device time counts as back-filled, seconds. */
    liveLagMaxS: sourced(finite().nonnegative()),
    /** Below this fraction of live readings the step warns, 0..1. */
    minLiveFraction: sourced(finite().min(0).max(1)),
    /** Air ΔT, superheat and subcooling bands (optional groups). */
    ...TEST_RUN_CHECK_PARAMS,
  })
  .strict()

export const RulePackSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "split-ac"'),
    version: z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, 'must be semver, e.g. "1.0.0"'),
    title: z.string().trim().min(1),
    description: z.string().optional(),
    /** Which units the pack is for; an absent field means "any". */
    appliesTo: z
      .object({
        refrigerants: z.array(z.string().regex(/^R\d+[A-Z]?$/, 'must be an ASHRAE designation, e.g. "R32"')).min(1).optional(),
        unitTypes: z.array(z.enum(UNIT_TYPES)).min(1).optional(),
        /** A model pack: nameplate model prefixes it is written for (case, width and spaces ignored). */
        models: z.array(z.string().trim().min(1)).min(1).optional(),
        minCapacityHp: finite().positive().optional(),
        maxCapacityHp: finite().positive().optional(),
      })
      .strict()
      .refine((a) => a.minCapacityHp === undefined || a.maxCapacityHp === undefined || a.minCapacityHp <= a.maxCapacityHp, {
        message: 'minCapacityHp must not exceed maxCapacityHp',
        path: ['minCapacityHp'],
      }),
    /** Service ports units of this pack have unless the job's unit says otherwise: what cannot be measured is not pending. */
    ports: z.object({ lowSide: sourced(z.boolean()), highSide: sourced(z.boolean()) }).strict().optional(),
    /** The measured steps the pack checks, in procedure order; a step left out is not checked. */
    steps: z
      .object({
        power_test: PowerTestParamsSchema.optional(),
        factory_charge: FactoryChargeParamsSchema.optional(),
        tightness: TightnessParamsSchema.optional(),
        evacuation: EvacuationParamsSchema.optional(),
        electrical: ElectricalParamsSchema.optional(),
        test_run: TestRunParamsSchema.optional(),
        /** Heat pumps: the heating-mode test run (same parameters; its air ΔT band is airDeltaTHeating). */
        test_run_heating: TestRunParamsSchema.optional(),
      })
      .strict(),
    /** What the installer declares and shows (S3, S5, S7-S10, S12, S15, S16). */
    record: InstallationRecordParamsSchema.optional(),
    /** What counts as a fault of a unit in service, and the deadlines alerts are held to (issue 11); absent: not watched. */
    faults: FaultsSectionSchema.optional(),
  })
  .strict()

export type RulePack = z.infer<typeof RulePackSchema>
export type TestRunParams = NonNullable<RulePack['steps']['test_run']>

/** `steps.test_run.maxGapS.value`, `appliesTo.refrigerants[0]`, or `(root)`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? String(seg) : `.${String(seg)}`
  }
  return out === '' ? '(root)' : out
}

/** One line per problem, each naming the file and the field. */
function describeIssues(issues: readonly z.core.$ZodIssue[], origin: string): string[] {
  const lines: string[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      // Point at the key itself: the author looks for the typo, not for its parent.
      for (const key of issue.keys) lines.push(`${origin}: ${formatPath([...issue.path, key])}: unknown key (misspelt or not supported)`)
      continue
    }
    // zod's "Invalid input: expected number, received string" → "expected number, received string".
    const message = issue.message.replace(/^Invalid input: /, '')
    lines.push(`${origin}: ${formatPath(issue.path)}: ${message}`)
  }
  return lines
}

/**
 * Validates a parsed pack. `origin` names where it came from (the file path) and starts
 * every line of the error, e.g.
 * `rules/packs/split-ac.yaml: steps.test_run.maxGapS.value: expected number, received string`.
 */
export function parseRulePack(data: unknown, origin: string): RulePack {
  const result = RulePackSchema.safeParse(data)
  if (result.success) return result.data
  throw new Error(describeIssues(result.error.issues, origin).join('\n'))
}
