/**
 * The calibration partition on windows (rules/calibration.ts, partitionWindowsByCalibration)
 * cuts by binary search what partitionByCalibration drops reading by reading: the same
 * excluded devices, counts and evidence, and the same readings counted (issue 8: the
 * partition walked half a million readings on every evaluation of a job with a lapsing meter).
 */
import { describe, expect, it } from 'vitest'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import { partitionByCalibration, partitionWindowsByCalibration, type DeviceCalibration } from '../../rules/calibration.js'
import type { SeriesWindow } from '../../rules/steps/series-window.js'

const T0 = Date.UTC(2026, 10, 27, 0, 0, 0)
const CHANNELS: ChannelName[] = ['pressure_high_kpag', 'temp_pipe_c']

function series(deviceId: string, channel: ChannelName, from: number, n: number, stepMs: number): Reading[] {
  const out: Reading[] = []
  for (let i = 0; i < n; i++) out.push({ deviceId, channel, ts: from + i * stepMs, value: i, receivedAt: from + i * stepMs })
  return out
}

describe('partitionWindowsByCalibration', () => {
  it.each([0, 480, -300])('equals the reading-by-reading partition (site offset %i min)', (utcOffsetMinutes) => {
    const devices = new Map<string, DeviceCalibration>([
      ['lapses', { calibrationDue: '2026-11-27' }], // lapses inside the windows
      ['valid', { calibrationDue: '2099-01-01' }],
      ['none', {}],
      ['bad', { calibrationDue: '2026-02-30' }], // not a date: nothing of it counts
      ['before', { calibrationDue: '2026-11-01' }], // lapsed before the windows: nothing counts
    ])
    const windows: SeriesWindow[] = []
    const readings: Reading[] = []
    for (const channel of CHANNELS) {
      for (const deviceId of devices.keys()) {
        const rs = series(deviceId, channel, T0 - 3_600_000, 3000, 60_000) // 50 h a minute apart
        // The window: from the 10th reading to the 2,900th, as the cache hands it over.
        const w = { deviceId, channel, readings: rs, lo: 10, hi: 2900 }
        windows.push(w)
        for (let i = w.lo; i < w.hi; i++) readings.push(rs[i]!)
      }
    }
    const byReading = partitionByCalibration(readings, devices, { utcOffsetMinutes })
    const byWindow = partitionWindowsByCalibration(windows, devices, { utcOffsetMinutes })
    expect(byWindow.excluded).toEqual(byReading.excluded)
    expect(byWindow.excluded.map((e) => e.deviceId)).toEqual(['bad', 'before', 'lapses'])
    const counted: Reading[] = []
    for (const w of byWindow.counted) for (let i = w.lo; i < w.hi; i++) counted.push(w.readings[i]!)
    expect(counted).toEqual(byReading.counted)
    expect(byWindow.counted).toHaveLength(windows.length) // windows keep their order; cut ones only end sooner
  })
})
