/**
 * Unit error codes mapped by the pack's table (a manufacturer's code table, e.g. a Gree
 * service manual's troubleshooting chapter) to a fault type and severity.
 *
 * The contract has no error-code channel (contract/channels.ts holds numeric quantities):
 * the unit's current codes come as a report, `codes: []` meaning "no code shown". A code
 * raises at once (the unit's own controller already judged it) and clears when it has not
 * been shown for the table's clearS: a report without it counts, and so does silence
 * (ThingsBoard #10979, clear when it has not recurred), since many units send a code only
 * while it is shown. A code the table does not know is raised as `unmapped_error_code`
 * (warning) rather than dropped: the unit says something is wrong, the pack cannot say what.
 *
 * State: one duration condition per fault type of the table (plus one for unmapped codes):
 * bounded by the table, not by the number of reports.
 */
import { z } from 'zod'

import type { ConditionTransition } from './condition-time.js'
import { DurationStateSchema, initialDurationState, stepDuration, tickDuration, type DurationConfig, type DurationState } from './duration-condition.js'
import type { FaultSeverity, FaultsSection } from './fault-pack-schema.js'
import { msOf, type FaultEvaluator, type FaultStep, type FaultTransition, type FaultUnit } from './fault-transition.js'

export interface ErrorCodeReport {
  deviceId: string
  /** Device time, ms. */
  ts: number
  /** The codes the unit shows now, as displayed ("E1"); empty: none. */
  codes: readonly string[]
}

const UNMAPPED = 'unmapped_error_code'

const StateSchema = z.object({ byFault: z.record(z.string(), DurationStateSchema), codeOf: z.record(z.string(), z.string()) }).strict()
export type ErrorCodeState = z.infer<typeof StateSchema>

interface Row {
  fault: string
  severity: FaultSeverity
  textKey: string
  source: string
}

export function errorCodeFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<ErrorCodeState, ErrorCodeReport> | undefined {
  const table = faults.errorCodes
  if (!table) return undefined
  const cond: DurationConfig = { forMs: 0, maxGapMs: msOf(faults.maxGapS), clearMs: msOf(table.clearS), clearOnSilence: true }
  const rows = new Map<string, Row>(Object.entries(table.codes))
  const faultNames = new Set<string>([UNMAPPED])
  const meta = new Map<string, Row>()
  for (const row of rows.values()) {
    faultNames.add(row.fault)
    if (!meta.has(row.fault)) meta.set(row.fault, row)
  }
  const unmappedRow = (code: string): Row => ({ fault: UNMAPPED, severity: 'warning', textKey: 'fault.unmapped_error_code', source: `code "${code}" is not in the pack's table (${table.manual})` })

  const toFault = (fault: string, code: string, t: ConditionTransition): FaultTransition => {
    const row = rows.get(code) ?? (fault === UNMAPPED ? unmappedRow(code) : meta.get(fault) ?? unmappedRow(code))
    const what = fault === UNMAPPED ? `error code ${code}, not in the pack's table (${table.manual}): look it up in the unit's service manual` : `error code ${code}: ${fault.replace(/_/g, ' ')} (${table.manual})`
    return {
      kind: t.kind,
      deviceId: unit.deviceId,
      fault,
      severity: row.severity,
      at: t.at,
      value: null,
      peak: null,
      unit: null,
      limit: null,
      count: t.count,
      since: t.since,
      clause: 'faults.errorCodes',
      source: row.source,
      message: t.kind === 'clear' ? `${what}: not shown for ${table.clearS.value} s, cleared` : what,
      code,
      textKey: row.textKey,
    }
  }

  return {
    fault: 'error_code',
    initial: () => ({ byFault: {}, codeOf: {} }),
    parseState(json) {
      const r = StateSchema.safeParse(json)
      if (!r.success) throw new Error(`error-code fault state is not valid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
      // Faults the table no longer has are dropped, so the state stays bounded by the table.
      for (const f of Object.keys(r.data.byFault)) if (!faultNames.has(f)) delete r.data.byFault[f]
      return r.data
    },
    step(state, report, now): FaultStep<ErrorCodeState> {
      if (report.deviceId !== unit.deviceId) return { state, transitions: [] }
      // Which fault each shown code stands for (first code shown wins a fault type).
      const shown = new Map<string, string>()
      for (const code of report.codes) {
        const fault = rows.get(code)?.fault ?? UNMAPPED
        if (!shown.has(fault)) shown.set(fault, code)
      }
      const next: ErrorCodeState = { byFault: { ...state.byFault }, codeOf: { ...state.codeOf } }
      const out: FaultTransition[] = []
      for (const fault of faultNames) {
        const code = shown.get(fault)
        const prev = own(next.byFault, fault)
        // A fault never shown needs no state: the table's size bounds it, not the reports.
        if (code === undefined && prev === undefined) continue
        const r = stepDuration(cond, prev ?? initialDurationState(), { ts: report.ts, value: 1, bad: code !== undefined }, now)
        if (code !== undefined && r.state.phase !== 'idle' && (prev === undefined || prev.phase === 'idle')) next.codeOf[fault] = code
        for (const t of r.transitions) out.push(toFault(fault, own(next.codeOf, fault) ?? code ?? '?', t))
        settle(next, fault, r.state)
      }
      return { state: next, transitions: out }
    },
    tick(state, now) {
      const next: ErrorCodeState = { byFault: { ...state.byFault }, codeOf: { ...state.codeOf } }
      const out: FaultTransition[] = []
      for (const [fault, s] of Object.entries(state.byFault)) {
        const r = tickDuration(cond, s, now)
        for (const t of r.transitions) out.push(toFault(fault, own(next.codeOf, fault) ?? '?', t))
        settle(next, fault, r.state)
      }
      return { state: next, transitions: out }
    },
  }
}

/** A fault name such as "constructor" must not read Object.prototype's member. */
function own<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined
}

/** An idle fault's state is dropped: state holds only the faults shown recently. */
function settle(s: ErrorCodeState, fault: string, d: DurationState): void {
  if (d.phase === 'idle') {
    delete s.byFault[fault]
    delete s.codeOf[fault]
  } else s.byFault[fault] = d
}
