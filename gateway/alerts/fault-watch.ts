/**
 * The fault evaluators of every unit in service (rules/faults/), with their states: what the
 * alerts module steps with a unit's in-service readings, error-code reports and link events.
 * States are plain JSON; the keys of states that changed since the last `takeDirty` are what
 * the module persists in fault_state with the batch (a restart reads them back: a condition
 * half-way through its 10 minutes stays half-way, an active one is not raised again).
 *
 * Silence: one SilenceIndex for all units (rules/faults/silence-index.ts), no timer per unit.
 */
import type { Reading } from '../../contract/reading.js'
import type { InstalledUnit } from '../../contract/job.js'
import {
  afterGatewayRestart,
  dataSignal,
  faultEvaluators,
  silenceDueAt,
  SilenceIndex,
  type ErrorCodeReport,
  type FaultEvaluator,
  type FaultsSection,
  type FaultTransition,
  type FaultUnit,
  type LinkEvent,
  type OfflineState,
} from '../../rules/faults/index.js'

/** The evaluators fed with readings, by their key in fault_state. */
const READING_KEYS = ['leakage', 'overCurrent', 'supplyVoltage', 'shortCycling', 'refrigerantLoss'] as const
type EvalKey = (typeof READING_KEYS)[number] | 'errorCodes' | 'offline'

interface Watched {
  faults: FaultsSection
  readingEvals: [EvalKey, FaultEvaluator<unknown, Reading>][]
  errorCodes: FaultEvaluator<unknown, ErrorCodeReport> | undefined
  offline: FaultEvaluator<OfflineState, LinkEvent>
  states: Map<EvalKey, unknown>
}

export function faultUnitOf(deviceId: string, u: InstalledUnit): FaultUnit {
  return {
    deviceId,
    ratedCurrentA: u.ratedCurrentA,
    phases: u.phases,
    refrigerant: u.refrigerant,
    ...(u.maxCurrentA !== undefined ? { maxCurrentA: u.maxCurrentA } : {}),
    ...(u.siteAtmosphericKpa !== undefined ? { siteAtmosphericKpa: u.siteAtmosphericKpa } : {}),
  }
}

export interface WatchProblem {
  deviceId: string
  key: string
  error: string
}

export class FaultWatch {
  private readonly units = new Map<string, Watched>()
  private readonly dirty = new Map<string, Set<EvalKey>>()
  readonly silence: SilenceIndex

  constructor(silenceResolutionMs = 1000) {
    this.silence = new SilenceIndex(silenceResolutionMs)
  }

  get size(): number {
    return this.units.size
  }

  has(deviceId: string): boolean {
    return this.units.has(deviceId)
  }

  /**
   * Watches the unit with its pack's faults section, from persisted states when there are any
   * (a corrupt one is reported and started afresh, never half-used). `now`: the gateway clock;
   * `restartedAt`: set when loading after a start, so silence counts from the restart.
   */
  watch(deviceId: string, faults: FaultsSection, unit: InstalledUnit, stored: ReadonlyMap<string, unknown> | undefined, now: number, restartedAt?: number): WatchProblem[] {
    const e = faultEvaluators(faults, faultUnitOf(deviceId, unit))
    const readingEvals: [EvalKey, FaultEvaluator<unknown, Reading>][] = []
    for (const k of READING_KEYS) {
      const ev = e[k] as FaultEvaluator<unknown, Reading> | undefined
      if (ev) readingEvals.push([k, ev])
    }
    const w: Watched = { faults, readingEvals, errorCodes: e.errorCodes as FaultEvaluator<unknown, ErrorCodeReport> | undefined, offline: e.offline, states: new Map() }
    const problems: WatchProblem[] = []
    const load = (key: EvalKey, ev: FaultEvaluator<unknown, unknown>): void => {
      const json = stored?.get(key)
      // A fresh state is written too: a re-registered unit must not read an old one back after a restart.
      if (json === undefined) {
        w.states.set(key, ev.initial())
        return this.markDirty(deviceId, key)
      }
      try {
        w.states.set(key, ev.parseState(json))
      } catch (err) {
        problems.push({ deviceId, key, error: err instanceof Error ? err.message : String(err) })
        w.states.set(key, ev.initial())
        this.markDirty(deviceId, key)
      }
    }
    for (const [k, ev] of readingEvals) load(k, ev)
    if (w.errorCodes) load('errorCodes', w.errorCodes)
    load('offline', w.offline as FaultEvaluator<unknown, unknown>)
    let off = w.states.get('offline') as OfflineState
    if (restartedAt !== undefined) off = afterGatewayRestart(off, restartedAt)
    // A unit never seen: its silence counts from when watching started.
    if (off.lastSeen === null && !off.offline) off = { ...off, lastSeen: now }
    w.states.set('offline', off)
    this.markDirty(deviceId, 'offline')
    this.units.set(deviceId, w)
    this.silence.set(deviceId, silenceDueAt(faults, off))
    return problems
  }

  unwatch(deviceId: string): void {
    this.units.delete(deviceId)
    this.silence.set(deviceId, null)
  }

  /** One in-service reading: the reading faults, and the data signal of "offline". */
  reading(r: Reading, now: number): FaultTransition[] {
    const w = this.units.get(r.deviceId)
    if (!w) return []
    const out: FaultTransition[] = []
    for (const [key, ev] of w.readingEvals) this.feed(r.deviceId, w, key, ev.step(w.states.get(key), r, now), out)
    this.link(dataSignal(r), now, out)
    return out
  }

  errorCodes(report: ErrorCodeReport, now: number): FaultTransition[] {
    const w = this.units.get(report.deviceId)
    const out: FaultTransition[] = []
    if (!w) return out
    // A report is data from the unit too.
    this.link({ deviceId: report.deviceId, signal: 'data' }, now, out)
    if (w.errorCodes) this.feed(report.deviceId, w, 'errorCodes', w.errorCodes.step(w.states.get('errorCodes'), report, now), out)
    return out
  }

  link(ev: LinkEvent, now: number, out: FaultTransition[] = []): FaultTransition[] {
    const w = this.units.get(ev.deviceId)
    if (!w) return out
    const before = w.states.get('offline') as OfflineState
    const step = w.offline.step(before, ev, now)
    this.feed(ev.deviceId, w, 'offline', step, out)
    const after = step.state
    this.silence.set(ev.deviceId, silenceDueAt(w.faults, after))
    return out
  }

  /** Time passing for one unit: every evaluator's tick (silence, clear-on-silence of error codes). */
  tick(deviceId: string, now: number): FaultTransition[] {
    const w = this.units.get(deviceId)
    const out: FaultTransition[] = []
    if (!w) return out
    for (const [key, ev] of w.readingEvals) this.feed(deviceId, w, key, ev.tick(w.states.get(key), now), out)
    if (w.errorCodes) this.feed(deviceId, w, 'errorCodes', w.errorCodes.tick(w.states.get('errorCodes'), now), out)
    const step = w.offline.tick(w.states.get('offline') as OfflineState, now)
    this.feed(deviceId, w, 'offline', step, out)
    this.silence.set(deviceId, silenceDueAt(w.faults, step.state))
    return out
  }

  /** States changed since the last call, for the batch's fault_state rows. */
  takeDirty(): { deviceId: string; key: string; state: unknown }[] {
    const out: { deviceId: string; key: string; state: unknown }[] = []
    for (const [deviceId, keys] of this.dirty) {
      const w = this.units.get(deviceId)
      if (!w) continue
      for (const k of keys) out.push({ deviceId, key: k, state: w.states.get(k) })
    }
    this.dirty.clear()
    return out
  }

  state(deviceId: string, key: EvalKey): unknown {
    return this.units.get(deviceId)?.states.get(key)
  }

  private feed(deviceId: string, w: Watched, key: EvalKey, step: { state: unknown; transitions: FaultTransition[] }, out: FaultTransition[]): void {
    // Evaluators return the same object when nothing changed: nothing to write.
    if (step.state !== w.states.get(key)) {
      w.states.set(key, step.state)
      this.markDirty(deviceId, key)
    }
    for (const t of step.transitions) out.push(t)
  }

  private markDirty(deviceId: string, key: EvalKey): void {
    let s = this.dirty.get(deviceId)
    if (!s) this.dirty.set(deviceId, (s = new Set()))
    s.add(key)
  }
}
