/**
 * Electrical checks (S4: seed §5 ch.7 art.2, supply fit for the unit, a dedicated branch
 * circuit for every unit, dedicated breaker and RCD from 3 HP, "no earth wire: refuse to install or power"; S14: §5 ch.5 art.6 and art.9,
 * electrical safety check after installation, casing checked for leakage). Pure.
 *
 * Readings: insulation_mohm, earth_ohm, leakage_ma, voltage_v. Every in-window reading
 * counts and the worst one decides: a failure is final, a re-measurement is a restarted
 * step (the gateway judges the latest start). Facts on the start marker: see ElectricalFactsSchema.
 */
import { z } from 'zod'

import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { InstalledUnit } from '../../contract/job.js'
import { stepStatusFromChecks, type CheckResult, type Severity, type StepResult } from '../result.js'
import { finite, sourced } from '../sourced.js'
import { channelReadings, type StepInput } from './series.js'

export const ElectricalParamsSchema = z
  .object({
    insulationMinMohm: sourced(finite().positive()),
    earthMaxOhm: sourced(finite().positive()),
    /** Above this an earth reading is an open circuit: no protective conductor at all, ohms. */
    earthOpenCircuitOhm: sourced(finite().positive()),
    leakageMaxMa: sourced(finite().positive()),
    supplyVoltageMinRatio: sourced(finite().positive()),
    supplyVoltageMaxRatio: sourced(finite().positive()),
    /** Rated voltage when neither the facts nor the unit give one, volts. */
    ratedVoltageSinglePhaseV: sourced(finite().positive()),
    ratedVoltageThreePhaseV: sourced(finite().positive()),
    /** Units of at least this capacity need a dedicated breaker and an RCD, HP. */
    dedicatedBreakerMinHp: sourced(finite().positive()),
    rcdMaxRatedMa: sourced(finite().positive()),
  })
  .strict()
  .refine((p) => p.supplyVoltageMinRatio.value < p.supplyVoltageMaxRatio.value, {
    message: 'supplyVoltageMinRatio must be below supplyVoltageMaxRatio',
    path: ['supplyVoltageMinRatio'],
  })
export type ElectricalParams = z.infer<typeof ElectricalParamsSchema>

/** Start-marker facts this step reads; each is optional and checked on its own. */
export const ElectricalFactsSchema = z.object({
  /** Is there an earth (protective) conductor at the supply? */
  earth: z.boolean().optional(),
  /** S4: the unit is on its own branch circuit (every unit, whatever its capacity). */
  dedicatedCircuit: z.boolean().optional(),
  dedicatedBreaker: z.boolean().optional(),
  rcd: z.boolean().optional(),
  rcdRatedMa: z.number().finite().positive().optional(),
  /** Nameplate rated voltage, overriding the pack default for the unit's phases. */
  ratedVoltageV: z.number().finite().positive().optional(),
})
type Facts = z.infer<typeof ElectricalFactsSchema>
type FactKey = keyof Facts

export type ElectricalInput = StepInput<ElectricalParams> & { unit: InstalledUnit }

interface Context {
  p: ElectricalParams
  unit: InstalledUnit
  facts: Facts
  /** Declared facts that did not parse, with the reason. */
  badFacts: Map<FactKey, string>
  running: boolean
  start: number
  end: number
  readings: Partial<Record<ChannelName, readonly Reading[]>>
}

const round = (v: number) => Math.round(v * 1000) / 1000

/** Parses each fact alone, so one malformed fact leaves the others usable. */
function parseFacts(raw: Record<string, unknown>): { facts: Facts; bad: Map<FactKey, string> } {
  const facts: Facts = {}
  const bad = new Map<FactKey, string>()
  const shape = ElectricalFactsSchema.shape
  for (const key of Object.keys(shape) as FactKey[]) {
    if (raw[key] === undefined) continue
    const r = shape[key].safeParse(raw[key])
    if (r.success) Object.assign(facts, { [key]: r.data })
    else bad.set(key, `start-marker fact "${key}" is not understood (${JSON.stringify(raw[key])})`)
  }
  return { facts, bad }
}

function inWindow(c: Context, channel: ChannelName): Reading[] {
  return channelReadings(c.readings, channel, c.start, c.end)
}

interface Worst {
  readings: Reading[]
  worst: Reading
}

/** The worst in-window reading ('min' or 'max'), or undefined when there is none. */
function worstOf(c: Context, channel: ChannelName, pick: 'min' | 'max'): Worst | undefined {
  const readings = inWindow(c, channel)
  let worst: Reading | undefined
  for (const r of readings) if (!worst || (pick === 'min' ? r.value < worst.value : r.value > worst.value)) worst = r
  return worst ? { readings, worst } : undefined
}

interface Limit {
  id: string
  channel: ChannelName
  clause: string
  unit: string
  what: string
  /** 'min': the lowest reading must be >= limit; 'max': the highest must be <= limit. */
  pick: 'min' | 'max'
  limit: number
  severity: Severity
  why: string
}

/** A reading-based check against one limit: pending without readings, worst reading decides. */
function limitCheck(c: Context, l: Limit): CheckResult {
  const base = { id: l.id, limit: l.limit, unit: l.unit, clause: l.clause }
  const w = worstOf(c, l.channel, l.pick)
  if (!w) {
    const when = c.running ? 'yet' : 'between the start and stop markers'
    return { ...base, status: 'pending', message: `no ${l.what} readings ${when}`, evidence: [{ channel: l.channel, from: c.start, to: c.end }] }
  }
  const ok = l.pick === 'min' ? w.worst.value >= l.limit : w.worst.value <= l.limit
  const rel = l.pick === 'min' ? '>=' : '<='
  const bad = w.readings.filter((r) => (l.pick === 'min' ? r.value < l.limit : r.value > l.limit))
  const span = ok ? w.readings : bad
  const evidence = [{ channel: l.channel, from: span[0]?.ts ?? c.start, to: span.at(-1)?.ts ?? c.end }]
  const worstText = `${l.pick === 'min' ? 'lowest' : 'highest'} ${l.what} ${round(w.worst.value)} ${l.unit}`
  if (ok) return { ...base, status: 'pass', measured: w.worst.value, message: `${worstText} (limit ${rel} ${l.limit} ${l.unit})`, evidence }
  return { ...base, status: 'fail', measured: w.worst.value, severity: l.severity, message: `${worstText} breaks the limit ${rel} ${l.limit} ${l.unit}: ${l.why}`, evidence }
}

function earthPresentCheck(c: Context): CheckResult {
  const base = { id: 'earth_present', clause: 'S4' }
  const refuse = 'no earth wire: refuse to install or power the unit (seed §5 ch.7 art.2)'
  const bad = c.badFacts.get('earth')
  if (c.facts.earth === false) return { ...base, status: 'fail', severity: 'critical', message: `installer declared no earth conductor: ${refuse}` }
  const w = worstOf(c, 'earth_ohm', 'max')
  if (w) {
    const limit = c.p.earthOpenCircuitOhm.value
    const evidence = [{ channel: 'earth_ohm', from: w.readings[0]?.ts ?? c.start, to: w.readings.at(-1)?.ts ?? c.end }]
    const measured = { ...base, measured: w.worst.value, limit, unit: 'Ω', evidence }
    if (w.worst.value > limit) {
      return { ...measured, status: 'fail', severity: 'critical', message: `earth reads ${round(w.worst.value)} Ω, an open circuit (above ${limit} Ω): ${refuse}` }
    }
    return { ...measured, status: 'pass', message: `earth conductor present: highest earth reading ${round(w.worst.value)} Ω` }
  }
  if (c.facts.earth === true) return { ...base, status: 'pass', message: 'earth conductor declared present by the installer (no earth reading)' }
  if (bad) return { ...base, status: 'pending', message: bad }
  return { ...base, status: 'pending', message: 'earth conductor not declared yet and no earth reading (start-marker fact "earth" or an earth_ohm reading)' }
}

function ratedVoltage(c: Context): { volts: number; from: string } {
  if (c.facts.ratedVoltageV !== undefined) return { volts: c.facts.ratedVoltageV, from: 'declared rated voltage' }
  return c.unit.phases === 3
    ? { volts: c.p.ratedVoltageThreePhaseV.value, from: 'three-phase rated voltage (line to line)' }
    : { volts: c.p.ratedVoltageSinglePhaseV.value, from: 'single-phase rated voltage' }
}

function supplyVoltageCheck(c: Context): CheckResult {
  const badRated = c.badFacts.get('ratedVoltageV')
  if (badRated) return { id: 'supply_voltage', status: 'pending', unit: 'V', clause: 'S4', message: badRated }
  const rated = ratedVoltage(c)
  const lo = round(rated.volts * c.p.supplyVoltageMinRatio.value)
  const hi = round(rated.volts * c.p.supplyVoltageMaxRatio.value)
  const band = `${lo}-${hi} V (${Math.round(c.p.supplyVoltageMinRatio.value * 100)}-${Math.round(c.p.supplyVoltageMaxRatio.value * 100)} % of ${rated.from} ${rated.volts} V)`
  const base = { id: 'supply_voltage', unit: 'V', clause: 'S4' }
  const readings = inWindow(c, 'voltage_v')
  const first = readings[0]
  const last = readings.at(-1)
  if (!first || !last) {
    const when = c.running ? 'yet' : 'between the start and stop markers'
    return { ...base, status: 'pending', limit: lo, message: `no supply voltage readings ${when} (required ${band})`, evidence: [{ channel: 'voltage_v', from: c.start, to: c.end }] }
  }
  const min = readings.reduce((m, r) => Math.min(m, r.value), Infinity)
  const max = readings.reduce((m, r) => Math.max(m, r.value), -Infinity)
  const low = min < lo
  const high = max > hi
  if (!low && !high) {
    return { ...base, status: 'pass', measured: min, limit: lo, message: `supply voltage ${round(min)}-${round(max)} V within ${band}`, evidence: [{ channel: 'voltage_v', from: first.ts, to: last.ts }] }
  }
  const bad = readings.filter((r) => r.value < lo || r.value > hi)
  const evidence = [{ channel: 'voltage_v', from: bad[0]?.ts ?? first.ts, to: bad.at(-1)?.ts ?? last.ts }]
  const measured = low ? min : max
  const what = low ? `fell to ${round(min)} V` : `rose to ${round(max)} V`
  // Out-of-band supply damages the compressor and is the customer's supply to fix; not a shock hazard.
  return { ...base, status: 'fail', severity: 'major', measured, limit: low ? lo : hi, message: `supply voltage ${what}, outside ${band}: supply unfit for the unit (seed §5 ch.7 art.2)`, evidence }
}

/**
 * S4 (seed §5 ch.7 art.2): "空调电源是否专用分支电路" is asked of every unit; only the
 * dedicated breaker and RCD are tied to 3 HP and above (breakerRcdCheck).
 */
function dedicatedCircuitCheck(c: Context): CheckResult {
  const base = { id: 'dedicated_circuit', clause: 'S4' }
  const bad = c.badFacts.get('dedicatedCircuit')
  if (c.facts.dedicatedCircuit === true) return { ...base, status: 'pass', message: 'the unit is on its own branch circuit (declared)' }
  if (c.facts.dedicatedCircuit === false) {
    return { ...base, status: 'fail', severity: 'major', message: 'the unit shares a branch circuit: every air conditioner needs a dedicated branch circuit (seed §5 ch.7 art.2); the installer may refuse to install or power it' }
  }
  return { ...base, status: 'pending', message: bad ?? 'dedicated branch circuit not declared yet (start-marker fact "dedicatedCircuit"; required for every unit, seed §5 ch.7 art.2)' }
}

function breakerRcdCheck(c: Context): CheckResult {
  const minHp = c.p.dedicatedBreakerMinHp.value
  const hp = c.unit.capacityHp
  const base = { id: 'dedicated_breaker_rcd', clause: 'S4' }
  if (hp < minHp) return { ...base, status: 'pass', message: `not required: ${hp} HP is below ${minHp} HP (dedicated breaker and RCD from ${minHp} HP)` }
  const need = `a ${hp} HP unit needs a dedicated breaker and an RCD rated <= ${c.p.rcdMaxRatedMa.value} mA (seed §5 ch.7 art.2)`
  const f = c.facts
  const problems: string[] = []
  if (f.dedicatedBreaker === false) problems.push('no dedicated breaker')
  if (f.rcd === false) problems.push('no RCD')
  if (f.rcd !== false && f.rcdRatedMa !== undefined && f.rcdRatedMa > c.p.rcdMaxRatedMa.value) problems.push(`RCD rated ${f.rcdRatedMa} mA`)
  const rating = f.rcdRatedMa === undefined ? {} : { measured: f.rcdRatedMa, limit: c.p.rcdMaxRatedMa.value, unit: 'mA' }
  if (problems.length > 0) return { ...base, ...rating, status: 'fail', severity: 'major', message: `${problems.join(', ')}: ${need}` }
  const missing = (['dedicatedBreaker', 'rcd', 'rcdRatedMa'] as const).filter((k) => f[k] === undefined)
  if (missing.length > 0) {
    const why = missing.map((k) => c.badFacts.get(k) ?? `"${k}" not declared yet`).join('; ')
    return { ...base, status: 'pending', message: `${why}: ${need}` }
  }
  return { ...base, ...rating, status: 'pass', message: `dedicated breaker and RCD rated ${f.rcdRatedMa} mA declared (${hp} HP)` }
}

/** The measured limits, from the pack. Safety limits fail critical: the unit must not be powered. */
function limits(p: ElectricalParams): Record<'insulation' | 'earth' | 'leakage', Limit> {
  return {
    // IEC 60364-6 (500 V DC test) >= 1 MΩ; a pack may raise it to the manufacturers' 2 MΩ.
    insulation: {
      id: 'insulation', channel: 'insulation_mohm', clause: 'S14', unit: 'MΩ', what: 'insulation resistance', pick: 'min',
      limit: p.insulationMinMohm.value, severity: 'critical', why: 'shock and fire hazard, do not power the unit',
    },
    earth: {
      id: 'earth_resistance', channel: 'earth_ohm', clause: 'S4', unit: 'Ω', what: 'earth resistance', pick: 'max',
      limit: p.earthMaxOhm.value, severity: 'critical', why: 'the earth would not carry a fault current safely',
    },
    leakage: {
      id: 'leakage_current', channel: 'leakage_ma', clause: 'S14', unit: 'mA', what: 'leakage current', pick: 'max',
      limit: p.leakageMaxMa.value, severity: 'critical', why: 'the casing leaks: stop the unit at once (seed §5 ch.5 art.9)',
    },
  }
}

export function evaluateElectrical(input: ElectricalInput): StepResult {
  const running = input.window.stop === undefined
  const { facts, bad } = parseFacts(input.facts)
  const end = input.window.stop ?? input.now
  const c: Context = { p: input.params, unit: input.unit, facts, badFacts: bad, running, start: input.window.start, end, readings: input.readings }
  const l = limits(input.params)
  const checks = [
    limitCheck(c, l.insulation),
    limitCheck(c, l.earth),
    earthPresentCheck(c),
    limitCheck(c, l.leakage),
    supplyVoltageCheck(c),
    dedicatedCircuitCheck(c),
    breakerRcdCheck(c),
  ]
  return { id: 'electrical', status: stepStatusFromChecks(checks, running), checks }
}
