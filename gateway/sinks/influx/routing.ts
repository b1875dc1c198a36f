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

/** Device times closer than this are read with one statement. */
const CLUSTER_GAP_MS = 10 * 60_000

/** Channel names as SQL literals: they are the contract's fixed identifiers. */
const CHANNEL_LIST = CHANNEL_NAMES.map((c) => {
  if (!/^[a-z0-9_]+$/.test(c)) throw new Error(`channel name ${c} cannot be an SQL literal`)
  return `'${c}'`
}).join(', ')

/**
 * Reads the queued points back from the readings table: every channel the device has at that
 * device time (also those that came in other messages), and the earliest receive time. So a
 * point is always written whole and with the same lag_s, whichever of its messages queued it.
 * One statement over each run of close device times of a device, so live data costs a few
 * statements per batch, not one per point.
 *
 * SQLite merges each point's readings (json_group_object) and returns one row per point, not
 * per reading: that took the reading back from about 8 to 4.5 µs per 8-reading point on the
 * 2-core machine (test/bench/forward-micro.ts). Its JSON prints a REAL with the digits that read
 * back as the same double (SQLite ≥ 3.43; test/sinks/influx/point-reader.test.ts checks it).
 */
export class PointReader {
  private readonly range

  constructor(db: Db) {
    this.range = db
      .prepare<[string, number, number], [ts: number, receivedAt: number, fields: string]>(
        `SELECT ts, min(received_at), json_group_object(channel, value) FROM readings
         WHERE device_id = ? AND channel IN (${CHANNEL_LIST}) AND ts >= ? AND ts <= ? GROUP BY ts`,
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
      for (let i = 0; i < times.length; ) {
        let j = i
        while (j + 1 < times.length && times[j + 1]! - times[j]! <= CLUSTER_GAP_MS) j++
        // GROUP BY ts: in device time order, as the times are.
        for (const [ts, receivedAt, fields] of this.range.all(deviceId, times[i]!, times[j]!)) {
          if (set.has(ts)) out.push({ deviceId, ts, fields: JSON.parse(fields) as MergedPoint['fields'], receivedAt })
        }
        i = j + 1
      }
    }
    return out
  }
}
