/**
 * The `faults:` section of a rule pack (issue 11): what counts as a fault on a unit in
 * service, and the deadlines an alert is held to. Data, like the rest of a pack: every
 * number carries its source (rules/sourced.ts). rules/pack-schema.ts holds it as
 * `faults: FaultsSectionSchema.optional()`; `parseFaultsSection` validates a section on its
 * own (the fault tests) with the same messages a pack gets.
 *
 * Objects are strict: a misspelt key is refused, never silently ignored.
 */
import { z } from 'zod'

import { finite, sourced } from '../sourced.js'

/** Alert severities (the ThingsBoard / measureQuick scale plus "warning" for trends). */
export const FAULT_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const
export type FaultSeverity = (typeof FAULT_SEVERITIES)[number]
const SeveritySchema = z.enum(FAULT_SEVERITIES)

const seconds = () => sourced(finite().positive())
const nonNegSeconds = () => sourced(finite().nonnegative())

/** Leakage (touch) current of the casing: one reading above the limit is critical (S14: stop at once). */
const LeakageSchema = z
  .object({
    maxMa: sourced(finite().positive()),
    /** How long the limit must be exceeded before raising; 0 = the first reading above it. */
    forS: nonNegSeconds(),
  })
  .strict()

/** Current above the unit's nameplate (maxCurrentA when given, else ratedCurrentA) × ratio for longer than forS. */
const OverCurrentSchema = z
  .object({
    maxRatioOfRated: sourced(finite().min(1, 'must be at least 1 (a ratio of the nameplate current)')),
    forS: seconds(),
    severity: SeveritySchema,
  })
  .strict()

/** Supply voltage outside [minRatio, maxRatio] × rated voltage for longer than forS. */
const SupplyVoltageSchema = z
  .object({
    ratedSinglePhaseV: sourced(finite().positive()),
    ratedThreePhaseV: sourced(finite().positive()),
    minRatio: sourced(finite().positive()),
    maxRatio: sourced(finite().positive()),
    forS: seconds(),
    severity: SeveritySchema,
  })
  .strict()
  .refine((v) => v.minRatio.value < v.maxRatio.value, { message: 'minRatio must be below maxRatio', path: ['minRatio'] })

/** One row of a manufacturer's error-code table. */
const ErrorCodeRowSchema = z
  .object({
    /** Fault type the code maps to, snake_case: one active alert per unit and fault type. */
    fault: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case, e.g. "high_pressure_protection"'),
    severity: SeveritySchema,
    /** Key of the alert text in the docs / dashboard translations, e.g. "fault.gree.e1". */
    textKey: z.string().regex(/^[a-z0-9_]+(?:\.[a-z0-9_]+)+$/, 'must be a dotted key, e.g. "fault.gree.e1"'),
    /** Where the row comes from: manual title, edition and page/table. */
    source: z.string().trim().min(1, 'every error code needs a source (the manufacturer manual and table)'),
  })
  .strict()

/** Codes as the unit displays them: "E1", "P0", "H6", "F12". */
const ERROR_CODE = /^[A-Z0-9]{1,4}$/

const ErrorCodesSchema = z
  .object({
    /** The manual the table is taken from (e.g. a Gree or Midea service manual), stated once. */
    manual: z.string().trim().min(1, 'name the manufacturer service manual the table is taken from'),
    codes: z
      .record(z.string(), ErrorCodeRowSchema)
      .superRefine((codes, ctx) => {
        const keys = Object.keys(codes)
        if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'the table has no codes' })
        for (const key of keys) {
          if (!ERROR_CODE.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `error code "${key}" must be 1-4 upper-case letters or digits as the unit displays it, e.g. "E1"` })
        }
      }),
    /** The code is gone (not reported) this long: its alert clears. */
    clearS: seconds(),
  })
  .strict()

/** More than maxStartsPerHour compressor starts in any hour. A start: current rises to >= runningCurrentMinA. */
const ShortCyclingSchema = z
  .object({
    runningCurrentMinA: sourced(finite().positive()),
    maxStartsPerHour: sourced(finite().int().positive().max(60, 'at most 60 starts per hour can be watched')),
    severity: SeveritySchema,
  })
  .strict()

/**
 * Refrigerant loss: the suction saturation temperature, at comparable outdoor temperature
 * (bins of binK) and with the compressor running, falling over days (least-squares slope).
 */
const RefrigerantLossSchema = z
  .object({
    /** Outdoor temperature bin width, K: only days in the same bin are compared. */
    binK: sourced(finite().positive()),
    /** Fewest days with data in one bin before a slope is judged. */
    minDays: sourced(finite().int().min(3, 'a trend needs at least 3 days')),
    /** Days of history kept (older days drop out). */
    windowDays: sourced(finite().int().positive()),
    /** Raise when the slope is at or below -maxFallKPerDay. */
    maxFallKPerDay: sourced(finite().positive()),
    /** Current at or above this means the compressor runs (suction pressure of a stopped unit says nothing). */
    runningCurrentMinA: sourced(finite().positive()),
    /** An outdoor temperature reading pairs with a suction pressure reading at most this far apart, s. */
    pairWithinS: seconds(),
  })
  .strict()
  .refine((r) => r.windowDays.value >= r.minDays.value, { message: 'windowDays must be at least minDays', path: ['windowDays'] })

/** No telemetry for silenceS (or an MQTT last will / bridge disconnect) raises "offline". */
const OfflineSchema = z.object({ silenceS: seconds(), severity: SeveritySchema }).strict()

const SeverityDeadlineSchema = z
  .object({
    /** Time to acknowledge (T2 contact within 20 min; T5 dispatch within 30 min). */
    acknowledgeS: seconds(),
    /** Time to resolve (T2 repair done within 24 h; T5 closed within 24 h). */
    resolveS: seconds(),
  })
  .strict()

const DistanceBandSchema = z
  .object({
    /** Upper end of the band, km; absent on the last band ("beyond"). */
    maxKm: sourced(finite().positive()).optional(),
    withinS: seconds(),
  })
  .strict()

const DeadlinesSchema = z
  .object({
    bySeverity: z.object({ critical: SeverityDeadlineSchema, major: SeverityDeadlineSchema, minor: SeverityDeadlineSchema, warning: SeverityDeadlineSchema }).strict(),
    /** T3: a leak caused by the installation: installer on site within this time. */
    installationLeakOnSiteS: seconds(),
    /** T6: on-site response by distance from the service centre, nearest band first. */
    onSiteByDistance: z
      .array(DistanceBandSchema)
      .min(1)
      .superRefine((bands, ctx) => {
        let last = 0
        bands.forEach((b, i) => {
          const isLast = i === bands.length - 1
          if (b.maxKm === undefined && !isLast) ctx.addIssue({ code: 'custom', path: [i, 'maxKm'], message: 'only the last band may leave out maxKm ("beyond")' })
          if (b.maxKm !== undefined) {
            if (b.maxKm.value <= last) ctx.addIssue({ code: 'custom', path: [i, 'maxKm'], message: `bands must be in increasing maxKm order (${b.maxKm.value} km after ${last} km)` })
            last = b.maxKm.value
          }
        })
        if (bands.at(-1)?.maxKm !== undefined) ctx.addIssue({ code: 'custom', path: [bands.length - 1], message: 'the last band must leave out maxKm so every distance has a deadline' })
      }),
    /** T7: a maintained system is inspected at least this often. */
    inspectionEveryS: seconds(),
    /** T7: the severity of an `inspection_overdue` alert; absent: 'minor' (deadlines.ts inspectionOverdueSeverity). */
    inspectionOverdueSeverity: SeveritySchema.optional(),
    /** After a missed deadline, escalate again to the next team this often, up to maxEscalations. */
    escalateEveryS: seconds(),
    maxEscalations: sourced(finite().int().positive().max(10)),
    /** T4: leak call-backs counted against the installer. */
    installerCallbacks: z
      .object({
        /** A call-back this soon after installation counts against the installer. */
        afterInstallS: seconds(),
        /** More than maxInShortWindow within shortWindowS flags the installer. */
        shortWindowS: seconds(),
        maxInShortWindow: sourced(finite().int().nonnegative()),
        /** More than maxInLongWindow within longWindowS flags the installer. */
        longWindowS: seconds(),
        maxInLongWindow: sourced(finite().int().nonnegative()),
      })
      .strict(),
  })
  .strict()

export const FaultsSectionSchema = z
  .object({
    leakage: LeakageSchema.optional(),
    overCurrent: OverCurrentSchema.optional(),
    supplyVoltage: SupplyVoltageSchema.optional(),
    errorCodes: ErrorCodesSchema.optional(),
    shortCycling: ShortCyclingSchema.optional(),
    refrigerantLoss: RefrigerantLossSchema.optional(),
    offline: OfflineSchema,
    /** A threshold fault clears once its condition has been gone (good readings) this long. */
    autoClearS: seconds(),
    /** Readings further apart than this break a duration condition ("above X for 10 min"), s. */
    maxGapS: seconds(),
    deadlines: DeadlinesSchema,
  })
  .strict()

export type FaultsSection = z.infer<typeof FaultsSectionSchema>
export type ErrorCodeTable = NonNullable<FaultsSection['errorCodes']>
export type RefrigerantLossParams = NonNullable<FaultsSection['refrigerantLoss']>
export type Deadlines = FaultsSection['deadlines']

/** `faults.deadlines.bySeverity.critical.acknowledgeS.value`, `faults.errorCodes.codes.E1.source`. */
function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `.${String(seg)}`
  return out
}

/**
 * Validates a pack's `faults:` section; `origin` (the file) starts every line of the error, e.g.
 * `rules/packs/split-ac.yaml: faults.leakage.maxMa.source: every parameter needs a source ...`.
 */
export function parseFaultsSection(data: unknown, origin: string): FaultsSection {
  const result = FaultsSectionSchema.safeParse(data)
  if (result.success) return result.data
  const lines: string[] = []
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${origin}: ${formatPath('faults', [...issue.path, key])}: unknown key (misspelt or not supported)`)
      continue
    }
    lines.push(`${origin}: ${formatPath('faults', issue.path)}: ${issue.message.replace(/^Invalid input: /, '')}`)
  }
  throw new Error(lines.join('\n'))
}
