/**
 * What the forwarder reads from the local database to build complete, correctly routed
 * points: the readings of a queued point (device, device time), and the jobs the device was
 * attached to at that time.
 */
import { CHANNEL_NAMES } from '../../../contract/channels.js'
import type { Db } from '../../store/database.js'
import type { MergedPoint } from './influx-points.js'
import { routeReading, type AttachmentWindow } from '../../../rules/attachment-window.js'

type Span = AttachmentWindow & { jobId: string }

/** Job attachments, read once per device per batch (the batch's view of job_devices). */
export class AttachmentLookup {
  private readonly select
  private cache = new Map<string, Span[]>()

  constructor(db: Db) {
    this.select = db.prepare<[string], { job_id: string; attached_at: number; detached_at: number | null }>(
      'SELECT job_id, attached_at, detached_at FROM job_devices WHERE device_id = ?',
    )
  }

  /** Forget what was read: attachments may have changed since the last batch. */
  refresh(): void {
    this.cache = new Map()
  }

  /** Jobs a reading of the device at device time ts counts for: the verdicts' rule (rules/attachment-window.ts); none is in service. */
  jobsAt = (deviceId: string, ts: number): string[] => {
    let spans = this.cache.get(deviceId)
    if (!spans) {
      spans = this.select.all(deviceId).map((r) => ({ jobId: r.job_id, attachedAt: r.attached_at, detachedAt: r.detached_at }))
      this.cache.set(deviceId, spans)
    }
    if (spans.length === 0) return []
    // Commissioning vs telemetry: the one rule (rules/attachment-window.ts). InfluxDB's
    // `telemetry` holds every reading of no job, in service or not, so in-service time is not asked here.
    const route = routeReading(spans, ts, null)
    return route.kind === 'jobs' ? route.jobIds : []
  }
}

/** Device times closer than this are read with one range scan per channel. */
const CLUSTER_GAP_MS = 10 * 60_000

/**
 * Reads the queued points back from the readings table: every channel the device has at that
 * device time (also those that came in other messages), and the earliest receive time. So a
 * point is always written whole and with the same lag_s, whichever of its messages queued it.
 * One range scan per channel over each run of close device times of a device, so live data
 * costs a few statements per batch, not one per point.
 */
export class PointReader {
  private readonly range

  constructor(db: Db) {
    // Rows as arrays: a batch reads thousands of them.
    this.range = db
      .prepare<[string, string, number, number], [ts: number, value: number, receivedAt: number]>(
        'SELECT ts, value, received_at FROM readings WHERE device_id = ? AND channel = ? AND ts >= ? AND ts <= ?',
      )
      .raw(true)
  }

  read(queued: Iterable<{ deviceId: string; ts: number }>): MergedPoint[] {
    const byDevice = new Map<string, Set<number>>()
    for (const q of queued) {
      let set = byDevice.get(q.deviceId)
      if (!set) byDevice.set(q.deviceId, (set = new Set()))
      set.add(q.ts)
    }
    const out: MergedPoint[] = []
    for (const [deviceId, set] of byDevice) {
      const times = [...set].sort((a, b) => a - b)
      const points = new Map<number, MergedPoint>()
      for (let i = 0; i < times.length; ) {
        let j = i
        while (j + 1 < times.length && times[j + 1]! - times[j]! <= CLUSTER_GAP_MS) j++
        for (const channel of CHANNEL_NAMES) {
          for (const [ts, value, receivedAt] of this.range.all(deviceId, channel, times[i]!, times[j]!)) {
            if (!set.has(ts)) continue
            const p = points.get(ts)
            if (p) {
              p.fields[channel] = value
              if (receivedAt < p.receivedAt) p.receivedAt = receivedAt
            } else {
              points.set(ts, { deviceId, ts, fields: { [channel]: value }, receivedAt })
            }
          }
        }
        i = j + 1
      }
      for (const t of times) {
        const p = points.get(t)
        if (p) out.push(p)
      }
    }
    return out
  }
}
