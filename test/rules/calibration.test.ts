import { describe, it, expect } from 'vitest'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import {
  calibrationCheck,
  calibrationLapsesAt,
  calibrationMessage,
  partitionByCalibration,
  type DeviceCalibration,
} from '../../rules/calibration.js'

const iso = (s: string) => Date.parse(s)
const r = (deviceId: string, ts: string, channel: ChannelName = 'current_a'): Reading => ({ deviceId, channel, ts: iso(ts), value: 1, receivedAt: iso(ts) })
const devices = (entries: [string, DeviceCalibration][]) => new Map(entries)

describe('calibrationLapsesAt', () => {
  const cases: [string, number | undefined, number | undefined][] = [
    ['2026-03-01', undefined, iso('2026-03-02T00:00:00Z')],
    ['2026-03-01', 480, iso('2026-03-01T16:00:00Z')], // midnight in China (UTC+8)
    ['2024-02-29', undefined, iso('2024-03-01T00:00:00Z')], // leap day
    ['2026-02-30', undefined, undefined],
    ['2025-2-1', undefined, undefined],
    ['2026-13-01', undefined, undefined],
    ['bogus', undefined, undefined],
    ['', undefined, undefined],
  ]
  for (const [due, offset, expected] of cases) it(`${JSON.stringify(due)} offset ${offset ?? 0} → ${expected}`, () => expect(calibrationLapsesAt(due, offset)).toBe(expected))
})

describe('partitionByCalibration', () => {
  const due = devices([['clamp-7', { calibrationDue: '2026-03-01' }]])

  it('through the end of the due day counts; from midnight after it is excluded (UTC default)', () => {
    const last = r('clamp-7', '2026-03-01T23:59:59.999Z')
    const first = r('clamp-7', '2026-03-02T00:00:00.000Z')
    const p = partitionByCalibration([last, first], due)
    expect(p.counted).toEqual([last])
    expect(p.excluded).toEqual([
      { deviceId: 'clamp-7', calibrationDue: '2026-03-01', count: 1, reason: 'expired', evidence: [{ channel: 'current_a', from: first.ts, to: first.ts }] },
    ])
  })

  it('site time zone moves the boundary', () => {
    const before = r('clamp-7', '2026-03-01T15:59:59.999Z')
    const after = r('clamp-7', '2026-03-01T16:00:00.000Z')
    const p = partitionByCalibration([before, after], due, { utcOffsetMinutes: 480 })
    expect(p.counted).toEqual([before])
    expect(p.excluded.map((e) => e.count)).toEqual([1])
  })

  it('unknown devices and devices without a due date count', () => {
    const readings = [r('unit-1', '2030-01-01T00:00:00Z'), r('meter-2', '2030-01-01T00:00:00Z')]
    expect(partitionByCalibration(readings, devices([['meter-2', {}]]))).toEqual({ counted: readings, excluded: [] })
  })

  it('an unreadable due date excludes the device', () => {
    const p = partitionByCalibration([r('clamp-9', '2025-01-01T00:00:00Z')], devices([['clamp-9', { calibrationDue: '2026-02-30' }]]))
    expect(p.counted).toEqual([])
    expect(p.excluded[0]).toMatchObject({ deviceId: 'clamp-9', calibrationDue: '2026-02-30', count: 1, reason: 'invalid_date' })
  })

  it('keeps input order, groups by device (sorted), one evidence range per channel', () => {
    const devs = devices([
      ['tester-b', { calibrationDue: '2025-01-01' }],
      ['tester-a', { calibrationDue: '2025-06-30' }],
      ['clamp-ok', { calibrationDue: '2099-12-31' }],
    ])
    const readings = [
      r('tester-b', '2025-03-01T10:00:05Z', 'insulation_mohm'),
      r('clamp-ok', '2025-03-01T10:00:00Z'),
      r('tester-a', '2025-07-01T10:00:00Z', 'leakage_ma'),
      r('tester-b', '2025-03-01T10:00:01Z', 'insulation_mohm'),
      r('tester-b', '2025-03-01T10:00:03Z', 'earth_ohm'),
      r('tester-a', '2025-06-30T23:00:00Z', 'leakage_ma'),
      r('clamp-ok', '2025-03-01T09:00:00Z'),
    ]
    const p = partitionByCalibration(readings, devs)
    expect(p.counted.map((x) => [x.deviceId, x.ts])).toEqual([
      ['clamp-ok', iso('2025-03-01T10:00:00Z')],
      ['tester-a', iso('2025-06-30T23:00:00Z')],
      ['clamp-ok', iso('2025-03-01T09:00:00Z')],
    ])
    expect(p.excluded).toEqual([
      { deviceId: 'tester-a', calibrationDue: '2025-06-30', count: 1, reason: 'expired', evidence: [{ channel: 'leakage_ma', from: iso('2025-07-01T10:00:00Z'), to: iso('2025-07-01T10:00:00Z') }] },
      {
        deviceId: 'tester-b',
        calibrationDue: '2025-01-01',
        count: 3,
        reason: 'expired',
        evidence: [
          { channel: 'earth_ohm', from: iso('2025-03-01T10:00:03Z'), to: iso('2025-03-01T10:00:03Z') },
          { channel: 'insulation_mohm', from: iso('2025-03-01T10:00:01Z'), to: iso('2025-03-01T10:00:05Z') },
        ],
      },
    ])
  })

  it('does not mutate its input', () => {
    const readings = [r('clamp-7', '2026-04-01T00:00:00Z'), r('clamp-7', '2026-01-01T00:00:00Z')]
    const copy = structuredClone(readings)
    partitionByCalibration(readings, due)
    expect(readings).toEqual(copy)
  })
})

describe('calibration message and check', () => {
  const expired = { deviceId: 'clamp-7', calibrationDue: '2026-03-01', count: 12, reason: 'expired' as const, evidence: [{ channel: 'current_a', from: 1, to: 2 }] }
  const invalid = { deviceId: 'tester-2', calibrationDue: 'soon', count: 3, reason: 'invalid_date' as const, evidence: [{ channel: 'earth_ohm', from: 3, to: 4 }] }

  it('message', () => {
    expect(calibrationMessage(expired)).toBe('readings from clamp-7 were excluded: calibration due 2026-03-01')
    expect(calibrationMessage(invalid)).toBe('readings from tester-2 were excluded: calibration due date "soon" is not a valid date')
  })

  it('nothing excluded: pass', () => {
    expect(calibrationCheck([])).toEqual({ id: 'calibration', unit: 'readings', status: 'pass', measured: 0, message: 'no readings excluded: every meter with a calibration date was in calibration' })
  })

  it('something excluded: a minor warning naming every device, with the evidence', () => {
    expect(calibrationCheck([expired, invalid])).toEqual({
      id: 'calibration',
      unit: 'readings',
      status: 'warn',
      severity: 'minor',
      measured: 15,
      message: 'readings from clamp-7 were excluded: calibration due 2026-03-01; readings from tester-2 were excluded: calibration due date "soon" is not a valid date',
      evidence: [
        { channel: 'current_a', from: 1, to: 2 },
        { channel: 'earth_ohm', from: 3, to: 4 },
      ],
    })
  })
})
