/**
 * What a fault evaluator returns: raise / update / clear of one fault type on one unit
 * (issue 11: one active alert per unit and fault type; re-triggering updates it). The
 * alert module turns these into alerts, audit entries and deliveries; nothing here does I/O.
 */
import type { Reading } from '../../contract/reading.js'
import type { ConditionTransition } from './condition-time.js'
import type { FaultSeverity } from './fault-pack-schema.js'

/** Fault types with their own evaluator; error codes use the fault names of the pack's table. */
export const FAULT_TYPES = ['leakage', 'over_current', 'supply_voltage', 'short_cycling', 'refrigerant_loss', 'offline', 'unmapped_error_code'] as const

export interface FaultTransition {
  kind: ConditionTransition['kind']
  deviceId: string
  /** One active alert per unit and fault type. */
  fault: string
  severity: FaultSeverity
  /** When (ms) the raise / update / clear happened on the condition's time line. */
  at: number
  /** The value that caused it (null: no numeric value, e.g. an error code or silence). */
  value: number | null
  /** The worst value of the episode, where it has one. */
  peak: number | null
  unit: string | null
  /** The limit it was judged against, in `unit`. */
  limit: number | null
  /** Bad readings or events since the condition started. */
  count: number
  since: number | null
  /** DOMAIN.md id (S4, S14, T3...) or the pack field the rule comes from. */
  clause: string
  /** Where the numbers come from: the pack's `source:` texts. */
  source: string
  message: string
  /** Error-code faults: the code the unit showed and the text key of the pack's table. */
  code?: string
  textKey?: string
}

export interface FaultStep<S> {
  state: S
  transitions: FaultTransition[]
}

/**
 * One fault type's pure evaluator: step for each reading of the unit (readings of other
 * channels and devices are ignored), tick for time passing without data; state is plain
 * JSON. `now` is the gateway clock. Error codes come as reports, not readings (I).
 */
export interface FaultEvaluator<S, I = Reading> {
  fault: string
  initial(): S
  step(state: S, input: I, now: number): FaultStep<S>
  tick(state: S, now: number): FaultStep<S>
  /** Reads a persisted state back, refusing a corrupt one with the reason. */
  parseState(json: unknown): S
}

/** The unit a fault evaluator watches: its device and nameplate (contract/job.ts UnitSchema). */
export interface FaultUnit {
  /** The device whose readings are the unit's (the unit's own controller or its gateway bridge). */
  deviceId: string
  ratedCurrentA: number
  /** Nameplate maximum current (inverters), A. */
  maxCurrentA?: number
  phases: 1 | 3
  refrigerant: string
  /** Declared nameplate voltage, V; absent: the pack's nominal voltage for the phases. */
  ratedVoltageV?: number
  /** Site atmospheric pressure, kPa (gauge ↔ absolute for saturation); absent: standard atmosphere. */
  siteAtmosphericKpa?: number
}

export const msOf = (s: { value: number }): number => s.value * 1000

/**
 * A limit computed from pack numbers (220 V × 0.9 = 198.00000000000003 in binary floating
 * point), rounded to a micro-unit so a reading of exactly 198 V is at the limit, not past it.
 */
export const limitOf = (x: number): number => Math.round(x * 1e6) / 1e6
