/**
 * Incremental evaluation: the readings of jobs being evaluated are kept in memory, loaded
 * from the store once per job and channel, then extended by every newly stored reading.
 * A verdict of an active job therefore never re-reads the job from storage.
 */
import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { Attachment } from './job.js'
import { jobReadings } from './job-readings.js'
import type { JobReadingSource } from './reading-source.js'

interface ChannelSeries {
  /** Sorted by device time. */
  readings: Reading[]
  /** Readings that arrived while the channel was still loading. */
  early: Reading[] | undefined
  loaded: Promise<void>
}

interface JobEntry {
  attachments: readonly Attachment[]
  channels: Map<ChannelName, ChannelSeries>
}

export class JobReadingCache implements JobReadingSource {
  private readonly jobs = new Map<string, JobEntry>()
  private readonly jobsByDevice = new Map<string, Set<string>>()

  constructor(
    private readonly store: ReadingStore,
    private readonly maxJobs = 256,
  ) {}

  async readings(jobId: string, attachments: readonly Attachment[], channel: ChannelName, from: number, to: number): Promise<Reading[]> {
    const series = this.series(jobId, attachments, channel)
    await series.loaded
    const all = series.readings
    const lo = lowerBound(all, from)
    let hi = lo
    while (hi < all.length && all[hi]!.ts <= to) hi++
    return all.slice(lo, hi)
  }

  /** Newly stored readings: added to every cached job whose attachment covers them. */
  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      const jobIds = this.jobsByDevice.get(r.deviceId)
      if (!jobIds) continue
      for (const jobId of jobIds) {
        const entry = this.jobs.get(jobId)!
        const series = entry.channels.get(r.channel)
        if (!series || !covers(entry.attachments, r)) continue
        if (series.early) series.early.push(r)
        else insertSorted(series.readings, r)
      }
    }
  }

  /** Forget a job (its attachments changed, or it is no longer watched). */
  invalidate(jobId: string): void {
    const entry = this.jobs.get(jobId)
    if (!entry) return
    this.jobs.delete(jobId)
    for (const a of entry.attachments) this.jobsByDevice.get(a.deviceId)?.delete(jobId)
  }

  private series(jobId: string, attachments: readonly Attachment[], channel: ChannelName): ChannelSeries {
    let entry = this.jobs.get(jobId)
    if (entry) {
      this.jobs.delete(jobId) // most recently used goes last
      this.jobs.set(jobId, entry)
    } else {
      entry = { attachments, channels: new Map() }
      this.jobs.set(jobId, entry)
      for (const a of attachments) {
        let set = this.jobsByDevice.get(a.deviceId)
        if (!set) this.jobsByDevice.set(a.deviceId, (set = new Set()))
        set.add(jobId)
      }
      if (this.jobs.size > this.maxJobs) this.invalidate(this.jobs.keys().next().value as string)
    }
    let series = entry.channels.get(channel)
    if (!series) {
      const s: ChannelSeries = { readings: [], early: [], loaded: Promise.resolve() }
      s.loaded = jobReadings(this.store, attachments, channel, 0, Number.MAX_SAFE_INTEGER).then((loaded) => {
        s.readings = loaded
        for (const r of s.early ?? []) insertSorted(s.readings, r)
        s.early = undefined
      })
      entry.channels.set(channel, (series = s))
    }
    return series
  }
}

function covers(attachments: readonly Attachment[], r: Reading): boolean {
  return attachments.some((a) => a.deviceId === r.deviceId && a.attachedAt <= r.ts && (a.detachedAt === null || r.ts <= a.detachedAt))
}

/** First index whose ts >= ts. */
function lowerBound(readings: readonly Reading[], ts: number): number {
  let lo = 0
  let hi = readings.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (readings[mid]!.ts < ts) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Inserts in time order (usually at the end); the same device and device time is stored once. */
function insertSorted(readings: Reading[], r: Reading): void {
  let i = lowerBound(readings, r.ts)
  for (; i < readings.length && readings[i]!.ts === r.ts; i++) {
    if (readings[i]!.deviceId !== r.deviceId) continue
    if (r.conflict) readings[i] = r // the stored point, now flagged with a conflicting re-send
    return
  }
  readings.splice(i, 0, r)
}
