/**
 * The limits the dashboards draw as thresholds, read from the rule pack YAML at build
 * time so each number has one source. The pack is parsed with the gateway's own schema
 * (rules/pack-schema.ts), and each limit's path is typed against it: a renamed field is a
 * compile error here, a pack the gateway would refuse stops the build. Only an optional
 * check group the pack leaves out (ΔT) falls back to the DOMAIN.md criterion, and the panel
 * says so.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ATMOSPHERE_KPA } from '../contract/units.js'
import { RulePackSchema, type RulePack } from '../rules/pack-schema.js'
import { dropUncertainty } from '../rules/steps/tightness-uncertainty.js'

export interface Limit {
  value: number
  unit: string
  /** The pack's own source text, or the DOMAIN.md criterion used instead. */
  source: string
  /** Where the number was read: `rules/packs/split-ac.yaml steps.test_run.minDurationS`, or `DOMAIN.md`. */
  from: string
}

type Steps = RulePack['steps']
/** A pack number with its source (rules/sourced.ts). */
interface SourcedNumber {
  value: number
  source: string
}

/**
 * Every key path under `T` that leads to a sourced number: `['test_run', 'minDurationS']`,
 * `['test_run', 'airDeltaT', 'minK']`, ... (optional groups included).
 */
type SourcedPath<T> = T extends SourcedNumber
  ? []
  : T extends readonly unknown[]
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: [K, ...SourcedPath<NonNullable<T[K]>>] }[keyof T & string]
      : never

interface LimitSpec {
  /** Path in the pack's steps: step, then key (and sub-key for grouped checks such as airDeltaT); checked against the schema. */
  path: SourcedPath<Steps>
  unit: string
  /** Used when the pack has no such step; absent = the pack must have it. */
  fallback?: { value: number; source: string }
}

const SPECS = {
  testRunMinS: { path: ['test_run', 'minDurationS'], unit: 's' },
  runningCurrentMinA: { path: ['test_run', 'runningCurrentMinA'], unit: 'A' },
  currentMaxRatioOfRated: { path: ['test_run', 'currentMaxRatioOfRated'], unit: '' },
  liveLagMaxS: { path: ['test_run', 'liveLagMaxS'], unit: 's' },
  // An optional check group of the test run: a pack without it does not check ΔT.
  airDeltaTMinK: {
    path: ['test_run', 'airDeltaT', 'minK'],
    unit: 'K',
    fallback: { value: 8, source: 'DOMAIN.md: supply/return air ΔT about 8-14 K in cooling (rule of thumb; not checked by this pack)' },
  },
  airDeltaTMaxK: {
    path: ['test_run', 'airDeltaT', 'maxK'],
    unit: 'K',
    fallback: { value: 14, source: 'DOMAIN.md: supply/return air ΔT about 8-14 K in cooling (rule of thumb; not checked by this pack)' },
  },
  tightnessMaxKpaG: { path: ['tightness', 'maxPressureKpaG'], unit: 'kPa(g)' },
  vacuumTargetMicron: { path: ['evacuation', 'targetMicron'], unit: 'micron' },
  vacuumDecayMaxMicron: { path: ['evacuation', 'decayMaxMicron'], unit: 'micron' },
  insulationMinMohm: { path: ['electrical', 'insulationMinMohm'], unit: 'MΩ' },
  earthMaxOhm: { path: ['electrical', 'earthMaxOhm'], unit: 'Ω' },
  leakageMaxMa: { path: ['electrical', 'leakageMaxMa'], unit: 'mA' },
  supplyVoltageMinRatio: { path: ['electrical', 'supplyVoltageMinRatio'], unit: '' },
  supplyVoltageMaxRatio: { path: ['electrical', 'supplyVoltageMaxRatio'], unit: '' },
  ratedVoltageSinglePhaseV: { path: ['electrical', 'ratedVoltageSinglePhaseV'], unit: 'V' },
} as const satisfies Record<string, LimitSpec>

export type LimitId = keyof typeof SPECS | 'tightnessMaxDropKpa'
export type Limits = Record<LimitId, Limit>

export const DEFAULT_PACK = 'rules/packs/split-ac.yaml'

/** The node at `keys` under `root` (own properties only), or undefined. */
function lookup(root: unknown, keys: readonly PropertyKey[]): unknown {
  let node = root
  for (const key of keys) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

/**
 * The pack as the gateway reads it. A required key that is missing says "not found" and where,
 * as a renamed key in the YAML most often is; any other problem says what zod found.
 */
function parsePack(pack: unknown, origin: string): RulePack {
  const result = RulePackSchema.safeParse(pack)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const where = `${origin} ${issue.path.map(String).join('.')}`
    if (issue.code === 'invalid_type' && lookup(pack, issue.path) === undefined) {
      return `${where}: not found; the dashboards draw their limits from the pack (update dashboards/limits.ts if the key was renamed)`
    }
    return `${where}: ${issue.message}`
  })
  throw new Error(lines.join('\n'))
}

function sourcedAt(steps: Steps, path: readonly string[]): SourcedNumber | undefined {
  // The path type guarantees a sourced number (or an absent optional group) at its end.
  return lookup(steps, path) as SourcedNumber | undefined
}

/** Limits from a parsed pack; `origin` names the file in messages. */
export function limitsFromPack(pack: unknown, origin: string): Limits {
  const { steps } = parsePack(pack, origin)
  const out: Partial<Limits> = {}
  for (const [id, spec] of Object.entries(SPECS) as [keyof typeof SPECS, LimitSpec][]) {
    const [step, ...keys] = spec.path
    const where = `${origin} steps.${spec.path.join('.')}`
    const found = sourcedAt(steps, spec.path)
    if (found !== undefined) {
      out[id] = { value: found.value, unit: spec.unit, source: found.source, from: where }
      continue
    }
    // A grouped check (airDeltaT) absent from the pack is simply not checked: use the fallback.
    const stepPresent = steps[step] !== undefined
    const groupPresent = keys.length < 2 || lookup(steps, [step, ...keys.slice(0, -1)]) !== undefined
    if (!spec.fallback || (stepPresent && groupPresent)) {
      throw new Error(`${where}: not found; the dashboards draw this limit from the pack (update dashboards/limits.ts if the key was renamed)`)
    }
    out[id] = { value: spec.fallback.value, unit: spec.unit, source: spec.fallback.source, from: 'DOMAIN.md' }
  }
  out.tightnessMaxDropKpa = allowedDrop(steps, origin)
  return out as Limits
}

/**
 * The tightness drop has no fixed limit: the gateway allows each hold the expanded
 * uncertainty of its own compensated drop (rules/steps/tightness-uncertainty.ts). The
 * dashboard draws that allowance for the pack's meter defaults at its test pressure and a
 * steady 20 °C, the same function the gateway uses.
 */
function allowedDrop(steps: Steps, origin: string): Limit {
  const where = `${origin} steps.tightness.uncertainty`
  const tightness = steps.tightness
  if (!tightness) throw new Error(`${where}: not found; the dashboards draw the allowed drop from it (the pack has no tightness step)`)
  const p = tightness.testPressureKpaG.value
  const d = dropUncertainty({ p1KpaG: p, t1C: 20, p2KpaG: p, t2C: 20, atmosphereKpa: ATMOSPHERE_KPA }, tightness.uncertainty, {}, {}, 'pack defaults')
  const source = `allowed drop (GUM, k = ${d.k}) for the pack's meter defaults at ${p} kPa(g) and a steady 20 °C; each verdict computes its own from the meters' declared accuracy`
  return { value: Math.round(d.allowedKpa * 10) / 10, unit: 'kPa', source, from: where }
}

/** Limits from the pack file at `path` (YAML). */
export function loadLimits(path: string = DEFAULT_PACK): Limits {
  return limitsFromPack(parse(readFileSync(path, 'utf8')), path)
}

/** A limit derived from others, e.g. the supply-voltage band = ratio × rated voltage. */
export function product(a: Limit, b: Limit, unit: string): Limit {
  return { value: Math.round(a.value * b.value * 1000) / 1000, unit, source: `${a.source}; ${b.source}`, from: `${a.from} × ${b.from}` }
}

/** One line for a panel description: "500 micron (DOMAIN.md: ...)". */
export function describeLimit(l: Limit): string {
  const unit = l.unit ? ` ${l.unit}` : ''
  return `${l.value}${unit}, from ${l.from}: ${l.source}`
}
