/**
 * The factory charge check before unpacking (S17: seed §5 addendum art.3, "when removing
 * the packaging, check that the indoor unit still holds compressed gas and the outdoor
 * unit its refrigerant, to find an internal leak"). Pure.
 *
 * The installer declares on the start marker which gauge reads which unit:
 *   {"indoor": "pressure_low_kpag", "outdoor": "pressure_high_kpag"}
 *   {"indoor": {"channel": "pressure_low_kpag", "deviceId": "manifold-3"}, ...}
 *   {"outdoor": {"attested": true}}   (no port to read: a declaration, shown as a warning)
 * The highest in-window reading of that gauge must reach the side's minimum. While the
 * step is open a low reading stays pending (the hose may not be open yet); at stop it fails.
 */
import { z } from 'zod'

import type { ChannelName } from '../../contract/channels.js'
import type { InstalledUnit } from '../../contract/job.js'
import { stepStatusFromChecks, type CheckResult, type StepResult } from '../result.js'
import { finite, sourced } from '../sourced.js'
import { channelReadings, maxReading, type StepInput } from './series.js'

export const FactoryChargeParamsSchema = z
  .object({
    /** The indoor unit's holding charge (dry nitrogen or air) must read at least this, kPa(g). */
    indoorMinKpag: sourced(finite().positive()),
    /** The outdoor unit's refrigerant must read at least this, kPa(g). */
    outdoorMinKpag: sourced(finite().positive()),
  })
  .strict()
export type FactoryChargeParams = z.infer<typeof FactoryChargeParamsSchema>

const PressureChannelSchema = z.enum(['pressure_low_kpag', 'pressure_high_kpag'])

/** Which gauge reads one unit: a channel (any attached device), a channel on one device, or an attestation. */
export const ChargeGaugeSchema = z.union([
  PressureChannelSchema,
  z.object({ channel: PressureChannelSchema, deviceId: z.string().min(1).optional() }).strict(),
  z.object({ attested: z.literal(true) }).strict(),
])
export type ChargeGauge = z.infer<typeof ChargeGaugeSchema>

/** The start-marker facts this step reads. Other keys are ignored. */
export const FactoryChargeFactsSchema = z.object({ indoor: ChargeGaugeSchema.optional(), outdoor: ChargeGaugeSchema.optional() })

export type FactoryChargeInput = StepInput<FactoryChargeParams> & { unit: InstalledUnit }

type Side = 'indoor' | 'outdoor'
type Gauge = { channel: ChannelName; deviceId?: string | undefined }
const CLAUSE = 'S17'
const kpa = (v: number) => `${Math.round(v * 10) / 10} kPa(g)`
const gaugeText = (g: Gauge) => (g.deviceId ? `${g.channel} of ${g.deviceId}` : g.channel)
const WHAT: Record<Side, string> = { indoor: 'holding charge (compressed gas)', outdoor: 'refrigerant charge' }

type Declared = { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'attested' } | { kind: 'gauge'; gauge: Gauge }

function declared(facts: Record<string, unknown>, side: Side): Declared {
  const raw = facts[side]
  if (raw === undefined) return { kind: 'missing' }
  const parsed = ChargeGaugeSchema.safeParse(raw)
  if (!parsed.success) return { kind: 'invalid', reason: `expected "pressure_low_kpag", "pressure_high_kpag", {channel, deviceId?} or {attested: true}` }
  const d = parsed.data
  if (typeof d === 'string') return { kind: 'gauge', gauge: { channel: d } }
  if ('attested' in d) return { kind: 'attested' }
  return { kind: 'gauge', gauge: { channel: d.channel, deviceId: d.deviceId } }
}

/** Two declarations that would read the same readings cannot tell the units apart. */
function sameGauge(a: Gauge, b: Gauge): boolean {
  return a.channel === b.channel && (a.deviceId === undefined || b.deviceId === undefined || a.deviceId === b.deviceId)
}

interface Context {
  input: FactoryChargeInput
  running: boolean
  end: number
}

function sideCheck(c: Context, side: Side, decl: Declared, clash: boolean): CheckResult {
  const id = `${side}_holding_charge`
  const limit = side === 'indoor' ? c.input.params.indoorMinKpag.value : c.input.params.outdoorMinKpag.value
  const base = { id, limit, unit: 'kPa(g)', clause: CLAUSE }
  if (decl.kind === 'missing') {
    return { ...base, status: 'pending', message: `which gauge reads the ${side} unit is not declared yet (start-marker fact "${side}", e.g. "pressure_low_kpag")` }
  }
  if (decl.kind === 'invalid') return { ...base, status: 'pending', message: `start-marker fact "${side}" is not understood: ${decl.reason}` }
  if (decl.kind === 'attested') {
    // A declaration is not a reading: visible to the reviewer, but it does not fail the step.
    return { ...base, status: 'warn', severity: 'minor', message: `${side} unit ${WHAT[side]} attested by the installer, not shown by a gauge reading` }
  }
  const g = decl.gauge
  const evidence = [{ channel: g.channel, from: c.input.window.start, to: c.end }]
  if (clash) {
    return { ...base, status: 'pending', message: `indoor and outdoor are declared on the same gauge (${gaugeText(g)}): their readings cannot be told apart`, evidence }
  }
  const rs = channelReadings(c.input.readings, g.channel, c.input.window.start, c.end).filter((r) => g.deviceId === undefined || r.deviceId === g.deviceId)
  const first = rs[0]
  const last = rs.at(-1)
  const top = maxReading(rs)
  if (!first || !last || !top) {
    const when = c.running ? 'yet' : 'between the start and stop markers'
    return { ...base, status: 'pending', message: `no readings from ${gaugeText(g)} on the ${side} unit ${when}`, evidence }
  }
  evidence[0] = { channel: g.channel, from: first.ts, to: last.ts }
  const max = top.value
  const measured = { ...base, measured: max, evidence }
  if (max >= limit) return { ...measured, status: 'pass', message: `${side} unit ${WHAT[side]} present: ${kpa(max)} (minimum ${kpa(limit)})` }
  if (c.running) return { ...measured, status: 'pending', message: `${side} unit reads at most ${kpa(max)} so far (minimum ${kpa(limit)})` }
  return {
    ...measured,
    status: 'fail',
    severity: 'major',
    message: `${side} unit lost its ${WHAT[side]}: highest reading ${kpa(max)}, minimum ${kpa(limit)}: internal leak, do not install (addendum art.3)`,
  }
}

export function evaluateFactoryCharge(input: FactoryChargeInput): StepResult {
  const running = input.window.stop === undefined
  const c: Context = { input, running, end: input.window.stop ?? input.now }
  const indoor = declared(input.facts, 'indoor')
  const outdoor = declared(input.facts, 'outdoor')
  const clash = indoor.kind === 'gauge' && outdoor.kind === 'gauge' && sameGauge(indoor.gauge, outdoor.gauge)
  const checks = [sideCheck(c, 'indoor', indoor, clash), sideCheck(c, 'outdoor', outdoor, clash)]
  return { id: 'factory_charge', status: stepStatusFromChecks(checks, running), checks }
}
