/**
 * Meter calibration as a condition of evidence: a reading taken by a meter after its
 * calibration due date does not count (a dispute is decided by readings whose integrity
 * can be shown, DOMAIN.md). Pure: the gateway hands in the readings and what each device
 * declared about itself (`calibrationDue`, YYYY-MM-DD, on v1/devices/me/attributes).
 *
 * The due date is a whole day: a meter is in calibration through the end of its due date,
 * in the site's time zone (utcOffsetMinutes; China is +480). A device with no due date
 * (an installed unit, a meter that never declared one) is not excluded: it has no
 * calibration to lapse.
 */
import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import type { CheckResult, Evidence } from './result.js'
import { boundIn, type SeriesWindow } from './steps/series-window.js'

export interface DeviceCalibration {
  /** YYYY-MM-DD: the last day the meter is in calibration. */
  calibrationDue?: string | undefined
}

export interface ExcludedDevice {
  deviceId: string
  calibrationDue: string
  /** Readings of this device that were dropped. */
  count: number
  /** 'expired': taken after the due date; 'invalid_date': the due date is not a calendar date. */
  reason: 'expired' | 'invalid_date'
  /** Time range of the dropped readings, one per channel, for the verdict. */
  evidence: Evidence[]
}

export interface CalibrationPartition {
  /** Readings that count as evidence, in their input order. */
  counted: Reading[]
  /** One entry per device with dropped readings, ordered by device id. */
  excluded: ExcludedDevice[]
}

export interface CalibrationOptions {
  /** Site time zone offset from UTC, minutes (China: +480). Default 0 (UTC). */
  utcOffsetMinutes?: number
}

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

/**
 * The first instant (ms) at which a meter due on `due` is out of calibration: midnight
 * after the due date, site time. Undefined when `due` is not a real YYYY-MM-DD date.
 */
export function calibrationLapsesAt(due: string, utcOffsetMinutes = 0): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(due)
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const midnight = Date.UTC(y, mo - 1, d)
  // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip is not a date.
  if (new Date(midnight).toISOString().slice(0, 10) !== due) return undefined
  return midnight + DAY_MS - utcOffsetMinutes * MINUTE_MS
}

/**
 * Could partitionByCalibration drop any reading dated at or before `until`? No when every
 * device either declares no due date or is in calibration past `until`: then every reading
 * counts and the partition can be skipped (a 24 h hold at 1 Hz is half a million readings).
 */
export function mayExclude(devices: ReadonlyMap<string, DeviceCalibration>, until: number, options: CalibrationOptions = {}): boolean {
  for (const d of devices.values()) {
    if (d.calibrationDue === undefined) continue
    const lapses = calibrationLapsesAt(d.calibrationDue, options.utcOffsetMinutes ?? 0)
    if (lapses === undefined || lapses <= until) return true
  }
  return false
}

interface Dropped {
  calibrationDue: string
  reason: ExcludedDevice['reason']
  count: number
  ranges: Map<ChannelName, { from: number; to: number }>
}

export function partitionByCalibration(
  readings: readonly Reading[],
  devices: ReadonlyMap<string, DeviceCalibration>,
  options: CalibrationOptions = {},
): CalibrationPartition {
  const offset = options.utcOffsetMinutes ?? 0
  const counted: Reading[] = []
  const dropped = new Map<string, Dropped>()
  // The due date's end, once per device: parsing it per reading dominated long evaluations.
  const lapsesByDevice = new Map<string, number | undefined>()
  const lapsesOf = (deviceId: string, due: string) => {
    if (!lapsesByDevice.has(deviceId)) lapsesByDevice.set(deviceId, calibrationLapsesAt(due, offset))
    return lapsesByDevice.get(deviceId)
  }
  for (const r of readings) {
    const due = devices.get(r.deviceId)?.calibrationDue
    if (due === undefined) {
      counted.push(r)
      continue
    }
    const lapses = lapsesOf(r.deviceId, due)
    // An unreadable due date cannot show the meter was in calibration: its readings do not count.
    if (lapses !== undefined && r.ts < lapses) {
      counted.push(r)
      continue
    }
    let d = dropped.get(r.deviceId)
    if (!d) {
      d = { calibrationDue: due, reason: lapses === undefined ? 'invalid_date' : 'expired', count: 0, ranges: new Map() }
      dropped.set(r.deviceId, d)
    }
    d.count++
    const range = d.ranges.get(r.channel)
    if (range) {
      range.from = Math.min(range.from, r.ts)
      range.to = Math.max(range.to, r.ts)
    } else {
      d.ranges.set(r.channel, { from: r.ts, to: r.ts })
    }
  }
  return { counted, excluded: excludedList(dropped) }
}

/**
 * partitionByCalibration of the windows' readings, without visiting them (issue 8): a
 * window is one device's readings in time order, so what a lapsed meter loses is the end of
 * its window from the lapse on (all of it for an unreadable date), found by binary search.
 * The counted windows keep their order; `excluded` is the same as the readings' partition.
 */
export function partitionWindowsByCalibration(
  windows: readonly SeriesWindow[],
  devices: ReadonlyMap<string, DeviceCalibration>,
  options: CalibrationOptions = {},
): { counted: SeriesWindow[]; excluded: ExcludedDevice[] } {
  const offset = options.utcOffsetMinutes ?? 0
  const counted: SeriesWindow[] = []
  const dropped = new Map<string, Dropped>()
  for (const w of windows) {
    const due = devices.get(w.deviceId)?.calibrationDue
    if (due === undefined || w.hi <= w.lo) {
      counted.push(w)
      continue
    }
    const lapses = calibrationLapsesAt(due, offset)
    const cut = lapses === undefined ? w.lo : boundIn(w.readings, w.lo, w.hi, lapses)
    counted.push(cut === w.hi ? w : { ...w, hi: cut })
    if (cut === w.hi) continue
    let d = dropped.get(w.deviceId)
    if (!d) dropped.set(w.deviceId, (d = { calibrationDue: due, reason: lapses === undefined ? 'invalid_date' : 'expired', count: 0, ranges: new Map() }))
    d.count += w.hi - cut
    const from = w.readings[cut]!.ts
    const to = w.readings[w.hi - 1]!.ts
    const range = d.ranges.get(w.channel)
    if (range) {
      range.from = Math.min(range.from, from)
      range.to = Math.max(range.to, to)
    } else d.ranges.set(w.channel, { from, to })
  }
  return { counted, excluded: excludedList(dropped) }
}

/** One entry per device with dropped readings, by device id; its evidence by channel. */
function excludedList(dropped: ReadonlyMap<string, Dropped>): ExcludedDevice[] {
  return [...dropped.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([deviceId, d]) => ({
      deviceId,
      calibrationDue: d.calibrationDue,
      count: d.count,
      reason: d.reason,
      evidence: [...d.ranges.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([channel, x]) => ({ channel, from: x.from, to: x.to })),
    }))
}

/** "readings from clamp-7 were excluded: calibration due 2026-03-01" */
export function calibrationMessage(e: ExcludedDevice): string {
  if (e.reason === 'invalid_date') return `readings from ${e.deviceId} were excluded: calibration due date "${e.calibrationDue}" is not a valid date`
  return `readings from ${e.deviceId} were excluded: calibration due ${e.calibrationDue}`
}

/**
 * The verdict's note on excluded evidence: 'warn' when anything was dropped (the checks
 * that lost evidence show it themselves as pending), 'pass' otherwise. No seed clause:
 * this is evidence integrity, not an installation rule.
 */
export function calibrationCheck(excluded: readonly ExcludedDevice[]): CheckResult {
  const base = { id: 'calibration', unit: 'readings' }
  const count = excluded.reduce((n, e) => n + e.count, 0)
  if (excluded.length === 0) return { ...base, status: 'pass', measured: 0, message: 'no readings excluded: every meter with a calibration date was in calibration' }
  return {
    ...base,
    status: 'warn',
    severity: 'minor',
    measured: count,
    message: excluded.map(calibrationMessage).join('; '),
    evidence: excluded.flatMap((e) => e.evidence),
  }
}
