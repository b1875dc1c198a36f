/**
 * The readings that jobs' open steps are judged on, in memory, so that a verdict of an
 * active job never re-reads it from storage: loaded once per job and channel, then
 * extended by every newly stored reading.
 *
 * Only what open steps need is kept: for each channel, the readings from the start of the
 * earliest open step that reads it (not from the attachment: a unit attached for a week
 * with a 30-minute test run caches 30 minutes). A stopped step's result is memoized here
 * (see VerdictService) and its readings are dropped; a reading that arrives late for a
 * stopped window (ts at or before the latest stop) bumps `lateVersion`, which is part of
 * the memo's key, so such a step is judged again.
 *
 * Memory is bounded: at most `maxReadings` cached readings over all jobs (24 bytes each in
 * ReadingColumns, up to twice that while columns grow by doubling; default 4,000,000 ≈
 * 96-192 MB, about 7 VRF 24 h holds at 1 Hz on six channels). Beyond it the least
 * recently evaluated jobs are dropped, and reloaded from SQLite when next evaluated;
 * likewise beyond MAX_CACHED_JOBS jobs.
 *
 * The Reading objects the evaluators take (~110 bytes each) are kept beside the columns
 * (ReadingColumns' view), so that the next evaluation builds only the readings that arrived
 * since: at most `maxViewed` over all jobs (default 1,000,000 ≈ 110 MB: a VRF 24 h hold at
 * 1 Hz on six channels with room to spare). Beyond it the least recently evaluated jobs'
 * objects are let go (their columns stay); they are built again when next evaluated. A job
 * of more than maxViewed readings is then built in full on each evaluation, as before.
 *
 * Beside them, each open step attempt's summary (rules/steps/tightness-summary.ts): what its
 * next evaluation extends by the readings that arrived since. A few hundred bytes per series
 * and no readings (it checks the window's first and last objects, and starts again when the
 * objects were rebuilt); kept only for the attempts the last evaluation judged, dropped with
 * the job.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { StepResult } from '../../rules/result.js'
import type { StepSummary } from '../../rules/steps/registry.js'
import type { SeriesWindow } from '../../rules/steps/series-window.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { Attachment } from '../../contract/job.js'
import { covers as windowCovers } from '../../rules/attachment-window.js'
import { jobReadings } from './job-readings.js'
import { mergeByTime } from './merge-by-time.js'
import { ReadingColumns } from './reading-columns.js'
import type { JobReadingSource } from './reading-source.js'

export const DEFAULT_MAX_CACHED_READINGS = 4_000_000
/** Reading objects kept between evaluations, over all jobs (see the file comment). */
export const DEFAULT_MAX_VIEWED_READINGS = 1_000_000
/** Jobs kept (with their memo of stopped steps, a few KB each) even when they cache no readings. */
export const MAX_CACHED_JOBS = 1000

interface JobEntry {
  attachments: readonly Attachment[]
  /** channel → the earliest device time cached, and one series per device. */
  channels: Map<ChannelName, { from: number; series: Map<string, ReadingColumns> }>
  /** The latest stop of a stopped step: a reading dated at or before it may change that step. */
  closedHorizon: number
  lateVersion: number
  /** Stopped steps' results: step id → the inputs' key and the result. */
  memo: Map<string, { key: string; result: StepResult }>
  /** Open steps' summaries (rules/steps/registry.ts, StepSummary): step attempt → what its next evaluation extends. */
  summaries: Map<string, StepSummary>
}

export interface CacheStats {
  jobs: number
  cachedReadings: number
  cachedBytes: number
  maxReadings: number
  /** Reading objects kept for the next evaluation (at most maxViewed). */
  viewedReadings: number
  /** Jobs dropped to stay under maxReadings. */
  evictions: number
  /** Readings read from storage into the cache. */
  loadedReadings: number
  /** Reading objects built from the columns for evaluators (kept ones are not built again). */
  builtReadings: number
  /** Open steps judged from a summary extended by the new readings only. */
  summaryExtensions: number
  /** ... from a summary started from scratch (a full pass: first evaluation, reload, or a late reading inside it). */
  summaryRebuilds: number
}

export class JobReadingCache implements JobReadingSource {
  /** In least-recently-prepared order (Map keeps insertion order). */
  private readonly jobs = new Map<string, JobEntry>()
  private readonly jobsByDevice = new Map<string, Set<string>>()
  private evictions = 0
  private loadedReadings = 0
  private builtReadings = 0
  private summaryExtensions = 0
  private summaryRebuilds = 0

  constructor(
    private readonly store: ReadingStore,
    readonly maxReadings = DEFAULT_MAX_CACHED_READINGS,
    readonly maxViewed = DEFAULT_MAX_VIEWED_READINGS,
  ) {}

  /**
   * Before an evaluation: keeps, per channel, the readings from `needs.get(channel)` on
   * (loading what is missing from storage) and drops every other channel's.
   */
  async prepare(jobId: string, attachments: readonly Attachment[], needs: ReadonlyMap<ChannelName, number>, closedHorizon: number): Promise<void> {
    let entry = this.jobs.get(jobId)
    if (entry && JSON.stringify(entry.attachments) !== JSON.stringify(attachments)) {
      this.invalidate(jobId)
      entry = undefined
    }
    if (!entry) entry = this.open(jobId, attachments)
    this.jobs.delete(jobId) // most recently used goes last
    this.jobs.set(jobId, entry)
    entry.closedHorizon = closedHorizon
    for (const [channel, cached] of entry.channels) {
      const from = needs.get(channel)
      if (from === undefined || from < cached.from) entry.channels.delete(channel)
      else if (from > cached.from) {
        for (const s of cached.series.values()) s.dropBefore(from)
        cached.from = from
      }
    }
    for (const [channel, from] of needs) {
      if (entry.channels.has(channel)) continue
      const cached = { from, series: new Map<string, ReadingColumns>() }
      // Registered before the load: readings stored meanwhile are added, and the load's copy of them is merged away.
      entry.channels.set(channel, cached)
      const loaded = await jobReadings(this.store, attachments, channel, from, Number.MAX_SAFE_INTEGER)
      this.loadedReadings += loaded.length
      for (const r of loaded) seriesOf(cached.series, r).add(r)
    }
  }

  /** The job's readings of a channel in [from, to]: from memory if cached that far back, else from storage. */
  async readings(jobId: string, attachments: readonly Attachment[], channel: ChannelName, from: number, to: number): Promise<Reading[]> {
    const cached = this.jobs.get(jobId)?.channels.get(channel)
    if (!cached || from < cached.from) return jobReadings(this.store, attachments, channel, from, to)
    const parts: Reading[][] = []
    for (const s of cached.series.values()) {
      const { readings, built } = s.kept(from, to)
      this.builtReadings += built
      parts.push(readings)
    }
    return mergeByTime(parts)
  }

  /**
   * readings() as windows onto the kept objects, one per device (rules/steps/series-window.ts),
   * in the order readings() merges them; undefined when the channel is not cached that far back.
   */
  windows(jobId: string, channel: ChannelName, from: number, to: number): SeriesWindow[] | undefined {
    const cached = this.jobs.get(jobId)?.channels.get(channel)
    if (!cached || from < cached.from) return undefined
    const out: SeriesWindow[] = []
    for (const s of cached.series.values()) {
      const { window, built } = s.window(from, to)
      this.builtReadings += built
      out.push(window)
    }
    return out
  }

  /** Reading objects built from the columns so far (what an evaluation added is the difference). */
  get built(): number {
    return this.builtReadings
  }

  /** The readings of a window from windows() that carry a conflict, in order (a few: found without a scan). */
  conflictedIn(jobId: string, w: SeriesWindow): Reading[] {
    return this.jobs.get(jobId)?.channels.get(w.channel)?.series.get(w.deviceId)?.conflictedIn(w.lo, w.hi) ?? []
  }

  /** The summary an open step attempt's last evaluation left. */
  summary(jobId: string, attempt: string): StepSummary | undefined {
    return this.jobs.get(jobId)?.summaries.get(attempt)
  }

  /** Keeps the summaries of this evaluation (`rebuilt`: started from scratch), and only them: others are of closed attempts. */
  keepSummaries(jobId: string, kept: ReadonlyMap<string, { summary: StepSummary; rebuilt: boolean }>): void {
    const entry = this.jobs.get(jobId)
    if (!entry) return
    entry.summaries = new Map()
    for (const [attempt, { summary, rebuilt }] of kept) {
      entry.summaries.set(attempt, summary)
      if (rebuilt) this.summaryRebuilds++
      else this.summaryExtensions++
    }
  }

  /** Can the job's cached readings of the channel carry a conflict? (Not cached: maybe.) */
  mayHaveConflicts(jobId: string, channel: ChannelName, from: number): boolean {
    const cached = this.jobs.get(jobId)?.channels.get(channel)
    if (!cached || from < cached.from) return true
    for (const s of cached.series.values()) if (s.hasConflicts) return true
    return false
  }

  /** Newly stored readings: added to every cached job whose attachment covers them. */
  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      const jobIds = this.jobsByDevice.get(r.deviceId)
      if (!jobIds) continue
      for (const jobId of jobIds) {
        const entry = this.jobs.get(jobId)!
        if (!covers(entry.attachments, r)) continue
        if (r.ts <= entry.closedHorizon) entry.lateVersion++
        const cached = entry.channels.get(r.channel)
        if (cached && r.ts >= cached.from) seriesOf(cached.series, r).add(r)
      }
    }
  }

  /** The memo of a stopped step, if its inputs' key is unchanged. */
  memoized(jobId: string, step: string, key: string): StepResult | undefined {
    const m = this.jobs.get(jobId)?.memo.get(step)
    return m?.key === key ? m.result : undefined
  }

  memoize(jobId: string, step: string, key: string, result: StepResult): void {
    this.jobs.get(jobId)?.memo.set(step, { key, result })
  }

  /** Bumped by late readings for a stopped window: part of every memo key. */
  lateVersion(jobId: string): number {
    return this.jobs.get(jobId)?.lateVersion ?? 0
  }

  /** Forget a job (its attachments changed, or it is no longer watched). */
  invalidate(jobId: string): void {
    const entry = this.jobs.get(jobId)
    if (!entry) return
    this.jobs.delete(jobId)
    for (const a of entry.attachments) {
      const set = this.jobsByDevice.get(a.deviceId)
      set?.delete(jobId)
      if (set?.size === 0) this.jobsByDevice.delete(a.deviceId)
    }
  }

  /** Drops the least recently evaluated jobs until at most maxReadings are cached (`current` last of all). */
  enforceCap(current?: string): void {
    let total = this.count()
    for (const [jobId, entry] of this.jobs) {
      if (total <= this.maxReadings && this.jobs.size <= MAX_CACHED_JOBS) break
      if (jobId === current) continue
      total -= entryCount(entry)
      this.invalidate(jobId)
      this.evictions++
    }
    if (total > this.maxReadings && current !== undefined && this.jobs.has(current)) {
      this.invalidate(current)
      this.evictions++
    }
    this.enforceViewCap(current)
  }

  /** Lets go of kept Reading objects, least recently evaluated jobs first, until at most maxViewed remain. */
  private enforceViewCap(current?: string): void {
    let viewed = 0
    for (const entry of this.jobs.values()) viewed += entryViewed(entry)
    const order: JobEntry[] = []
    for (const [jobId, entry] of this.jobs) if (jobId !== current) order.push(entry)
    const last = current === undefined ? undefined : this.jobs.get(current)
    if (last) order.push(last)
    for (const entry of order) {
      if (viewed <= this.maxViewed) return
      viewed -= entryViewed(entry)
      for (const c of entry.channels.values()) for (const s of c.series.values()) s.dropView()
    }
  }

  stats(): CacheStats {
    let bytes = 0
    for (const entry of this.jobs.values()) for (const c of entry.channels.values()) for (const s of c.series.values()) bytes += s.bytes
    let viewed = 0
    for (const entry of this.jobs.values()) viewed += entryViewed(entry)
    return { jobs: this.jobs.size, cachedReadings: this.count(), cachedBytes: bytes, maxReadings: this.maxReadings, viewedReadings: viewed, evictions: this.evictions, loadedReadings: this.loadedReadings, builtReadings: this.builtReadings, summaryExtensions: this.summaryExtensions, summaryRebuilds: this.summaryRebuilds }
  }

  private count(): number {
    let n = 0
    for (const entry of this.jobs.values()) n += entryCount(entry)
    return n
  }

  private open(jobId: string, attachments: readonly Attachment[]): JobEntry {
    const entry: JobEntry = { attachments, channels: new Map(), closedHorizon: -Infinity, lateVersion: 0, memo: new Map(), summaries: new Map() }
    this.jobs.set(jobId, entry)
    for (const a of attachments) {
      let set = this.jobsByDevice.get(a.deviceId)
      if (!set) this.jobsByDevice.set(a.deviceId, (set = new Set()))
      set.add(jobId)
    }
    return entry
  }
}

function entryCount(entry: JobEntry): number {
  let n = 0
  for (const c of entry.channels.values()) for (const s of c.series.values()) n += s.size
  return n
}

function entryViewed(entry: JobEntry): number {
  let n = 0
  for (const c of entry.channels.values()) for (const s of c.series.values()) n += s.viewSize
  return n
}

function seriesOf(series: Map<string, ReadingColumns>, r: Reading): ReadingColumns {
  let s = series.get(r.deviceId)
  if (!s) series.set(r.deviceId, (s = new ReadingColumns(r.deviceId, r.channel)))
  return s
}

/** Does the reading count for the job (rules/attachment-window.ts)? */
function covers(attachments: readonly Attachment[], r: Reading): boolean {
  return attachments.some((a) => a.deviceId === r.deviceId && windowCovers(a, r.ts))
}
