/**
 * Live feedback: re-evaluates a job whenever something it is judged on changes (a reading
 * of an attached device, a marker, the record, an override) and tells listeners when the
 * verdict changed. Re-evaluations are coalesced per event-loop turn.
 */
import type { Reading } from '../contract/reading.js'
import type { ReadingWatcher } from '../ingest/ingest.js'
import type { JobReadingCache } from './job-reading-cache.js'
import type { JobRepository } from './job-repository.js'
import type { Verdict, VerdictService } from './verdict-service.js'

export type VerdictListener = (verdict: Verdict) => void

export class JobMonitor implements ReadingWatcher {
  /** deviceId → jobs it is attached to now. */
  private readonly openJobsByDevice = new Map<string, Set<string>>()
  private readonly latest = new Map<string, { verdict: Verdict; key: string }>()
  private readonly listeners = new Map<string, Set<VerdictListener>>()
  private readonly globalListeners = new Set<VerdictListener>()
  private dirty = new Set<string>()
  private scheduled = false
  private running: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly jobs: JobRepository,
    private readonly verdicts: VerdictService,
    private readonly cache: JobReadingCache,
  ) {
    for (const { jobId, deviceId } of jobs.openAttachments()) this.link(deviceId, jobId)
  }

  /** Is the device attached to the job now? */
  attachedTo(deviceId: string, jobId: string): boolean {
    return this.openJobsByDevice.get(deviceId)?.has(jobId) ?? false
  }

  wants(deviceId: string): boolean {
    return this.openJobsByDevice.has(deviceId)
  }

  stored(readings: Reading[]): void {
    this.cache.add(readings)
    for (const r of readings) for (const jobId of this.openJobsByDevice.get(r.deviceId) ?? []) this.dirty.add(jobId)
    this.schedule()
  }

  /** A marker, the record or an override changed. */
  touch(jobId: string): void {
    this.dirty.add(jobId)
    this.schedule()
  }

  /** A device was attached or detached: readings are re-read for this job. */
  attachmentsChanged(jobId: string): void {
    for (const set of this.openJobsByDevice.values()) set.delete(jobId)
    for (const { jobId: j, deviceId } of this.jobs.openAttachments()) if (j === jobId) this.link(deviceId, jobId)
    for (const [deviceId, set] of this.openJobsByDevice) if (set.size === 0) this.openJobsByDevice.delete(deviceId)
    this.cache.invalidate(jobId)
    this.touch(jobId)
  }

  /** The job's verdict as of now (listeners hear of it if it changed). */
  async current(jobId: string): Promise<Verdict | undefined> {
    await this.running
    return this.evaluate(jobId)
  }

  /** Calls back on every change of this job's verdict (or of every job's, with '*'). Returns the unsubscribe. */
  subscribe(jobId: string | '*', listener: VerdictListener): () => void {
    const set = jobId === '*' ? this.globalListeners : (this.listeners.get(jobId) ?? new Set<VerdictListener>())
    if (jobId !== '*') this.listeners.set(jobId, set)
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Waits for pending re-evaluations (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.scheduled || this.dirty.size > 0) {
      await new Promise((r) => setImmediate(r))
      await this.running
    }
  }

  stop(): void {
    this.stopped = true
    this.listeners.clear()
    this.globalListeners.clear()
  }

  private link(deviceId: string, jobId: string): void {
    let set = this.openJobsByDevice.get(deviceId)
    if (!set) this.openJobsByDevice.set(deviceId, (set = new Set()))
    set.add(jobId)
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      const batch = this.dirty
      this.dirty = new Set()
      this.running = this.running.then(async () => {
        for (const jobId of batch) await this.evaluate(jobId)
      })
    })
  }

  private async evaluate(jobId: string): Promise<Verdict | undefined> {
    const verdict = await this.verdicts.verdict(jobId)
    if (!verdict || this.stopped) return verdict
    const { evaluatedAt: _ignored, ...content } = verdict
    const key = JSON.stringify(content)
    if (this.latest.get(jobId)?.key === key) return verdict
    this.latest.set(jobId, { verdict, key })
    for (const listener of [...(this.listeners.get(jobId) ?? []), ...this.globalListeners]) listener(verdict)
    return verdict
  }
}
