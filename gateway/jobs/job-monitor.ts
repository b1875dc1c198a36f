/**
 * Live feedback: re-evaluates a job whenever something it is judged on changes (a reading
 * of an attached device, a marker, the record, an override) and tells listeners when the
 * verdict changed.
 *
 * The ack path never waits for a verdict (issue 8): stored() only hands the readings to
 * the evaluator (another thread in the gateway) and marks the job dirty. Evaluations are
 * coalesced per job: at most one in flight, and the next one starts no sooner than
 * max(minIntervalMs, intervalFactor × the last one's duration) after it ended, so a burst
 * of readings collapses into a few evaluations and a job of any size takes a bounded share
 * (≤ 1 / (1 + intervalFactor)) of the evaluator's time. current() (the verdict API) does
 * not wait for that interval: it waits for the evaluation in flight and runs one more.
 *
 * What re-evaluates a job is heard on the bus (bus/events.ts), not called by the writers:
 * 'job.changed' (markers, record, overrides, confirmation, step events, attachments),
 * 'attributes.changed' (a meter's declared calibration and accuracy are facts of the verdict)
 * and 'readings.stored'. A new write path that goes through a repository cannot forget the
 * monitor. A changed verdict is emitted as 'verdict.changed' (MQTT job status, InfluxDB).
 *
 * An evaluation that fails is contained to its job: the verdict says so with the code
 * GW_ERR_EVALUATION_FAILED (evaluation-failure.ts), the failure is logged at most once a
 * minute per job, and every other job and device is served as before.
 */
import type { EventBus } from '../bus/event-bus.js'
import type { JobChanged, ReadingsStored } from '../bus/events.js'
import type { Clock } from '../clock.js'
import type { Reading } from '../../contract/reading.js'
import type { Log } from '../log.js'
import { describeError, failedVerdict } from './evaluation-failure.js'
import { loadJobContext, type JobFactSources } from './job-context.js'
import { EvaluationCounters, type JobMonitorStats } from './evaluation-counters.js'
import type { JobEvaluator } from './job-evaluator.js'
import type { JobRepository } from './job-repository.js'
import type { Verdict } from './verdict-service.js'

export type VerdictListener = (verdict: Verdict) => void
export type { JobMonitorStats }


export interface JobMonitorOptions {
  jobs: JobRepository
  evaluator: JobEvaluator
  clock: Clock
  log: Log
  /** Meters' declared calibration and accuracy (device attributes), and step events. */
  facts: JobFactSources
  /** Shortest time between two evaluations of one job, ms (default 200). */
  minIntervalMs?: number
  /** The pause after an evaluation is at least this many times its duration (default 5). */
  intervalFactor?: number
  /** Heard from start() to stop(): what changes a verdict; told: each changed verdict. */
  bus?: EventBus | undefined
  /** The name the monitor's bus listeners are kept under (its module's). */
  owner?: string
}

interface JobState {
  dirty: boolean
  inFlight: Promise<void> | undefined
  /** The verdict API's evaluation, shared by concurrent callers. */
  forced: Promise<Verdict | undefined> | undefined
  timer: NodeJS.Timeout | undefined
  /** performance.now() before which the next scheduled evaluation waits. */
  notBefore: number
  lastFailureLog: number
}

/** One failure line per job per this long. */
const FAILURE_LOG_INTERVAL_MS = 60_000

export class JobMonitor {
  /** deviceId → jobs it is attached to now. */
  private readonly openJobsByDevice = new Map<string, Set<string>>()
  private readonly latest = new Map<string, { verdict: Verdict; key: string }>()
  private readonly listeners = new Map<string, Set<VerdictListener>>()
  private readonly globalListeners = new Set<VerdictListener>()
  private readonly states = new Map<string, JobState>()
  private readonly minIntervalMs: number
  private readonly intervalFactor: number
  private stopped = false
  private readonly counters = new EvaluationCounters()

  constructor(private readonly opts: JobMonitorOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? 200
    this.intervalFactor = opts.intervalFactor ?? 5
  }

  /** Reads which devices are attached to open jobs and starts listening (call once before use). */
  start(): void {
    for (const { jobId, deviceId } of this.opts.jobs.openAttachments()) this.link(deviceId, jobId)
    const bus = this.opts.bus
    if (!bus) return
    bus.on('readings.stored', this.owner, (e) => this.heardReadings(e))
    bus.on('job.changed', this.owner, (e) => this.heardJobChange(e))
    bus.on('attributes.changed', this.owner, (e) => {
      for (const jobId of this.openJobsByDevice.get(e.deviceId) ?? []) this.markDirty(jobId)
    })
  }

  private get owner(): string {
    return this.opts.owner ?? 'job-monitor'
  }

  private heardReadings(e: ReadingsStored): void {
    if (this.openJobsByDevice.size === 0) return
    const readings = e.readingsFor((deviceId) => this.wants(deviceId))
    if (readings.length > 0) this.stored(readings)
  }

  private heardJobChange(e: JobChanged): void {
    // A new job has nothing to judge yet: its verdict is evaluated when asked for (as before).
    if (e.change === 'attached' || e.change === 'detached') this.attachmentsChanged(e.jobId)
    else if (e.change !== 'created') this.touch(e.jobId)
  }

  /** Is the device attached to the job now? */
  attachedTo(deviceId: string, jobId: string): boolean {
    return this.openJobsByDevice.get(deviceId)?.has(jobId) ?? false
  }

  wants(deviceId: string): boolean {
    return this.openJobsByDevice.has(deviceId)
  }

  /** On the ack path: O(readings), no evaluation. */
  stored(readings: Reading[]): void {
    this.opts.evaluator.add(readings)
    let last: Set<string> | undefined
    for (const r of readings) {
      const jobIds = this.openJobsByDevice.get(r.deviceId)
      if (!jobIds || jobIds === last) continue
      last = jobIds
      for (const jobId of jobIds) this.markDirty(jobId)
    }
  }

  /** A marker, the record or an override changed. */
  touch(jobId: string): void {
    this.markDirty(jobId)
  }

  /** A device was attached or detached: readings are re-read for this job. */
  attachmentsChanged(jobId: string): void {
    for (const set of this.openJobsByDevice.values()) set.delete(jobId)
    for (const { jobId: j, deviceId } of this.opts.jobs.openAttachments()) if (j === jobId) this.link(deviceId, jobId)
    for (const [deviceId, set] of this.openJobsByDevice) if (set.size === 0) this.openJobsByDevice.delete(deviceId)
    this.opts.evaluator.forget(jobId)
    this.markDirty(jobId)
  }

  /** The job's verdict as of now (listeners hear of it if it changed); undefined: no such job. Never rejects. */
  current(jobId: string): Promise<Verdict | undefined> {
    const s = this.state(jobId)
    s.forced ??= this.forcedRun(jobId, s).finally(() => (s.forced = undefined))
    return s.forced
  }

  /** Calls back on every change of this job's verdict (or of every job's, with '*'). Returns the unsubscribe. */
  subscribe(jobId: string | '*', listener: VerdictListener): () => void {
    const set = jobId === '*' ? this.globalListeners : (this.listeners.get(jobId) ?? new Set<VerdictListener>())
    if (jobId !== '*') this.listeners.set(jobId, set)
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Runs pending re-evaluations now, without their pause, and waits for them (tests, shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      const waits: Promise<unknown>[] = []
      for (const [jobId, s] of this.states) {
        if (s.dirty && !s.inFlight && !this.stopped) this.run(jobId, s)
        if (s.inFlight) waits.push(s.inFlight)
        if (s.forced) waits.push(s.forced)
      }
      if (waits.length === 0) return
      await Promise.all(waits)
    }
  }

  /** How much evaluating costs: for /healthz and the bench. */
  stats(): JobMonitorStats {
    return this.counters.stats()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.opts.bus?.removeListeners(this.owner)
    for (const s of this.states.values()) clearTimeout(s.timer)
    this.listeners.clear()
    this.globalListeners.clear()
    await this.opts.evaluator.stop()
  }

  private link(deviceId: string, jobId: string): void {
    let set = this.openJobsByDevice.get(deviceId)
    if (!set) this.openJobsByDevice.set(deviceId, (set = new Set()))
    set.add(jobId)
  }

  private state(jobId: string): JobState {
    let s = this.states.get(jobId)
    if (!s) this.states.set(jobId, (s = { dirty: false, inFlight: undefined, forced: undefined, timer: undefined, notBefore: 0, lastFailureLog: -Infinity }))
    return s
  }

  private markDirty(jobId: string): void {
    const s = this.state(jobId)
    s.dirty = true
    this.schedule(jobId, s)
  }

  private schedule(jobId: string, s: JobState): void {
    if (this.stopped || s.inFlight || s.timer || !s.dirty) return
    const delay = Math.max(0, s.notBefore - performance.now())
    s.timer = setTimeout(() => {
      s.timer = undefined
      if (!s.inFlight && s.dirty) this.run(jobId, s)
    }, delay)
  }

  private async forcedRun(jobId: string, s: JobState): Promise<Verdict | undefined> {
    while (s.inFlight) await s.inFlight
    if (this.stopped) return this.latest.get(jobId)?.verdict
    let verdict: Verdict | undefined
    await this.run(jobId, s, (v) => (verdict = v))
    return verdict
  }

  /** One evaluation of the job; the returned promise never rejects. */
  private run(jobId: string, s: JobState, result?: (v: Verdict | undefined) => void): Promise<void> {
    clearTimeout(s.timer)
    s.timer = undefined
    s.dirty = false
    const done = this.evaluate(jobId).then(({ verdict, ms }) => {
      result?.(verdict)
      s.inFlight = undefined
      // No such job: keep no state for it (the verdict API may be asked about any id).
      if (!verdict && !s.dirty) return void this.states.delete(jobId)
      s.notBefore = performance.now() + Math.max(this.minIntervalMs, this.intervalFactor * ms)
      this.schedule(jobId, s)
    })
    s.inFlight = done
    return done
  }

  private async evaluate(jobId: string): Promise<{ verdict: Verdict | undefined; ms: number }> {
    const now = this.opts.clock.now()
    let verdict: Verdict | undefined
    let ms = 0
    try {
      const ctx = loadJobContext(this.opts.jobs, this.opts.facts, jobId, now)
      if (!ctx) return { verdict: undefined, ms: 0 }
      const outcome = await this.opts.evaluator.evaluate(ctx)
      this.counters.count(outcome)
      verdict = outcome.verdict
      ms = outcome.ms
    } catch (err) {
      verdict = this.failed(jobId, now, err)
    }
    this.publish(jobId, verdict)
    return { verdict, ms }
  }

  private failed(jobId: string, now: number, err: unknown): Verdict {
    // Shutting down: the evaluation thread is gone; that is no failure of the job's.
    if (!this.stopped) this.counters.failures++
    const s = this.state(jobId)
    if (!this.stopped && now - s.lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
      s.lastFailureLog = now
      this.opts.log('error', 'job evaluation failed (shown in its verdict; other jobs are not affected)', { jobId, err: describeError(err) })
    }
    let rulePack: { id: string; version: string } | undefined
    try {
      rulePack = this.opts.jobs.get(jobId)?.rulePack
    } catch {
      rulePack = undefined // the job's own row is what cannot be read
    }
    return failedVerdict(jobId, rulePack, now, err)
  }

  private publish(jobId: string, verdict: Verdict | undefined): void {
    if (!verdict || this.stopped) return
    const { evaluatedAt: _ignored, ...content } = verdict
    const key = JSON.stringify(content)
    if (this.latest.get(jobId)?.key === key) return
    this.latest.set(jobId, { verdict, key })
    const listeners: VerdictListener[] = []
    for (const l of this.listeners.get(jobId) ?? []) listeners.push(l)
    for (const l of this.globalListeners) listeners.push(l)
    for (const listener of listeners) {
      try {
        listener(verdict)
      } catch (err) {
        this.opts.log('error', 'verdict listener failed', { jobId, err: describeError(err) })
      }
    }
    this.opts.bus?.emit('verdict.changed', { verdict })
  }
}
