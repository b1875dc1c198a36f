/**
 * Parameters of the test run's commissioning checks (air ΔT, superheat, subcooling). Each
 * check is a group: present → the check runs; absent → it is not part of the pack. A
 * group is all-or-nothing, so a pack cannot set a lower bound and silently miss the rest.
 * The shape is spread into TestRunParamsSchema (rules/pack-schema.ts).
 */
import { z } from 'zod'

import { finite, sourced } from '../../sourced.js'
import { TargetSuperheatParamsSchema } from '../../target-superheat.js'

/** A band [minK, maxK] evaluated over the last windowS of a run, once it has run settleS. */
const bandCheck = () =>
  z
    .object({
      /** Lowest acceptable value, K. */
      minK: sourced(finite()),
      /** Highest acceptable value, K. */
      maxK: sourced(finite()),
      /** Continuous running before the check looks at readings, seconds. */
      settleS: sourced(finite().nonnegative()),
      /** The check uses the last windowS of the run (after settleS), seconds. */
      windowS: sourced(finite().positive()),
    })
    .strict()
    .refine((g) => g.minK.value <= g.maxK.value, { message: 'minK must not exceed maxK', path: ['minK'] })

export const TEST_RUN_CHECK_PARAMS = {
  /** Return minus supply air temperature across the indoor coil, cooling, mean. */
  airDeltaT: bandCheck().optional(),
  /** Supply minus return air across the indoor coil in a heating run (heat pumps), mean. */
  airDeltaTHeating: bandCheck().optional(),
  /** S14 (seed §5 ch.5 art.9): casing leakage current watched during the run; above maxMa stop at once. */
  leakage: z.object({ maxMa: sourced(finite().positive()) }).strict().optional(),
  /** Fixed-orifice / capillary units: superheat judged against a target from the air conditions. */
  targetSuperheat: TargetSuperheatParamsSchema.optional(),
  /** Suction line minus dew-point temperature at the low-side pressure, median. */
  superheat: bandCheck().optional(),
  /** Bubble-point temperature at the high-side pressure minus liquid line, median. */
  subcooling: bandCheck().optional(),
}

const TestRunCheckParamsSchema = z.object(TEST_RUN_CHECK_PARAMS).strict()
export type TestRunCheckParams = z.infer<typeof TestRunCheckParamsSchema>
export type BandCheckParams = NonNullable<TestRunCheckParams['airDeltaT']>
