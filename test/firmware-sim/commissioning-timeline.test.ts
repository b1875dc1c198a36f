/**
 * The whole-commissioning scenarios as pure timelines: the procedure's order and facts,
 * realistic readings at realistic rates, the installation record and the meters'
 * calibration dates, and that each fault scenario really contains its fault (and only it).
 * The physics is checked here independently of the gateway's evaluators.
 */
import { describe, expect, it } from 'vitest'
import type { ChannelName } from '../../contract/channels.js'
import { AttributesSchema } from '../../contract/telemetry.js'
import { STEP_IDS } from '../../contract/job.js'
import { InstallationRecordSchema, type InstallationRecord } from '../../rules/record/record-schema.js'
import { MINUTE_MS, type TimelineEvent } from '../../firmware-sim/scenario.js'
import { getScenario } from '../../firmware-sim/scenarios/index.js'
import {
  attributeEvents,
  channel,
  COMMISSIONINGS,
  longestRunMs,
  markers,
  maxGapMs,
  points,
  publishes,
  recordEvents,
  START,
  timeline,
  window,
  type Point,
} from './timeline-helpers.js'

const ATM_KPA = 101.325
const KELVIN = 273.15

/** One channel's readings within a step's window. */
function during(tl: TimelineEvent[], step: string, ch: ChannelName): Point[] {
  const { start, stop } = window(tl, step)
  return channel(points(tl), ch, start, stop)
}

/** The tightness hold: the readings from the first one at or above 4000 kPa(g) after the last fill. */
function hold(tl: TimelineEvent[]): { pressure: Point[]; pipe: Point[] } {
  const pressure = during(tl, 'tightness', 'pressure_low_kpag')
  const from = pressure.findIndex((p) => p.value >= 4_000)
  const held = pressure.slice(from)
  return { pressure: held, pipe: during(tl, 'tightness', 'temp_pipe_c').filter((p) => p.ts >= held[0]!.ts - 60_000) }
}

/** Mean of the pipe readings within 60 s of t. */
function pipeAt(pipe: readonly Point[], t: number): number {
  const near = pipe.filter((p) => Math.abs(p.ts - t) <= 60_000)
  return near.reduce((s, p) => s + p.value, 0) / near.length
}

/** Ideal gas at constant volume (DOMAIN.md): the pressure the start of the hold predicts at the end's temperature. */
function compensatedDropKpa(h: { pressure: Point[]; pipe: Point[] }): number {
  const first = h.pressure[0]!
  const last = h.pressure.at(-1)!
  const expected = ((first.value + ATM_KPA) * (pipeAt(h.pipe, last.ts) + KELVIN)) / (pipeAt(h.pipe, first.ts) + KELVIN) - ATM_KPA
  return expected - last.value
}

/** The probe's readings from the lowest (isolation) to 20 minutes after it. */
function decay(tl: TimelineEvent[]): Point[] {
  const vac = during(tl, 'evacuation', 'vacuum_micron')
  const min = vac.reduce((m, p) => (p.value <= m.value ? p : m))
  return vac.filter((p) => p.ts >= min.ts && p.ts <= min.ts + 20 * MINUTE_MS)
}

function merged(tl: TimelineEvent[]): InstallationRecord {
  return Object.assign({}, ...recordEvents(tl).map((r) => r.fields)) as InstallationRecord
}

describe('commissioning: the whole procedure done right', () => {
  const tl = timeline('commissioning')
  const pts = points(tl)

  it('runs every step in procedure order, each started with its facts and stopped, none overlapping', () => {
    const ms = markers(tl)
    expect(ms.filter((m) => m.action === 'start').map((m) => m.step)).toEqual([...STEP_IDS])
    for (let i = 1; i < ms.length; i++) expect(ms[i]!.at).toBeGreaterThan(ms[i - 1]!.at)
    const facts = Object.fromEntries(ms.filter((m) => m.action === 'start').map((m) => [m.step, m.facts]))
    expect(facts).toEqual({
      power_test: undefined,
      factory_charge: { indoor: 'pressure_low_kpag', outdoor: 'pressure_high_kpag' },
      tightness: { gas: 'nitrogen' },
      evacuation: undefined,
      electrical: { earth: true, dedicatedCircuit: true, dedicatedBreaker: true, rcd: true, rcdRatedMa: 30 },
      test_run: undefined,
    })
    expect(ms.filter((m) => m.action === 'stop').every((m) => m.facts === undefined)).toBe(true)
    // Realistic: the mounting between the factory check and the tightness test takes over an hour.
    expect(window(tl, 'tightness').start - window(tl, 'factory_charge').stop).toBeGreaterThan(60 * MINUTE_MS)
  })

  it('publishes each reading from the device that measures it', () => {
    const roles = (ch: ChannelName) => [...new Set(pts.filter((p) => p.channel === ch).map((p) => p.role))]
    expect(roles('vacuum_micron')).toEqual(['probe'])
    expect(roles('temp_pipe_c')).toEqual(['manifold'])
    expect(roles('pressure_low_kpag')).toEqual(['manifold'])
    expect(roles('current_a')).toEqual(['clamp'])
    expect(roles('temp_supply_air_c')).toEqual(['unit'])
    for (const ch of ['insulation_mohm', 'earth_ohm', 'leakage_ma'] as const) expect(roles(ch)).toEqual(['tester'])
    // No device reports outside the steps: between steps the technician is mounting, not measuring.
    const ws = STEP_IDS.map((s) => window(tl, s))
    const pre = 2 * MINUTE_MS // the unit is switched on before the test run's start marker
    for (const p of pts) expect(ws.some((w) => p.ts >= w.start - pre && p.ts <= w.stop)).toBe(true)
  })

  it('samples at realistic rates: meters every 5 s, the micron probe every 10 s', () => {
    const period = (role: string, step: string) => {
      const { start, stop } = window(tl, step)
      const ts = [...new Set(pts.filter((p) => p.role === role && p.ts >= start && p.ts <= stop).map((p) => p.ts))]
      return new Set(ts.slice(1).map((t, i) => t - ts[i]!))
    }
    expect(period('clamp', 'power_test')).toEqual(new Set([5_000]))
    expect(period('manifold', 'factory_charge')).toEqual(new Set([5_000]))
    expect(period('manifold', 'tightness')).toEqual(new Set([5_000]))
    expect(period('probe', 'evacuation')).toEqual(new Set([10_000]))
    expect(period('clamp', 'test_run')).toEqual(new Set([5_000]))
  })

  it('stays under 5,000 readings', () => {
    expect(pts.length).toBeLessThan(5_000)
  })

  it('power test: the indoor fan draws ~0.18 A for 2 minutes, nothing before the plug goes in', () => {
    const current = during(tl, 'power_test', 'current_a')
    expect(current[0]!.value).toBe(0)
    expect(longestRunMs(current, 0.05, 10_000)).toBeGreaterThanOrEqual(100_000)
    for (const p of current.filter((x) => x.value > 0)) expect(Math.abs(p.value - 0.18)).toBeLessThanOrEqual(0.011)
  })

  it('factory charge: the indoor coil holds ~110 kPa(g), the outdoor unit R32 at 25 °C (~1.59 MPa(g))', () => {
    const indoor = during(tl, 'factory_charge', 'pressure_low_kpag').map((p) => p.value)
    const outdoor = during(tl, 'factory_charge', 'pressure_high_kpag').map((p) => p.value)
    expect(Math.abs(Math.max(...indoor) - 110)).toBeLessThan(2)
    expect(Math.abs(Math.max(...outdoor) - 1588)).toBeLessThan(3)
    expect(Math.min(...indoor)).toBeLessThan(2) // the hose read atmosphere before it went on
  })

  it('tightness: staged fill 0.3 → 1.5 → 4.05 MPa(g), a 12-minute hold, the pipe cooling 1 K: raw drop ~14 kPa, compensated flat', () => {
    const pressure = during(tl, 'tightness', 'pressure_low_kpag')
    const plateau = (kpag: number) => pressure.filter((p) => Math.abs(p.value - kpag) < 3).length
    expect(plateau(300)).toBeGreaterThan(10)
    expect(plateau(1_500)).toBeGreaterThan(10)
    const h = hold(tl)
    expect(Math.max(...pressure.map((p) => p.value))).toBeLessThanOrEqual(4_150)
    expect(h.pressure.at(-1)!.ts - h.pressure[0]!.ts).toBeGreaterThanOrEqual(600_000)
    expect(pipeAt(h.pipe, h.pressure[0]!.ts) - pipeAt(h.pipe, h.pressure.at(-1)!.ts)).toBeGreaterThan(0.8)
    const raw = h.pressure[0]!.value - h.pressure.at(-1)!.value
    expect(raw).toBeGreaterThan(10)
    expect(Math.abs(compensatedDropKpa(h))).toBeLessThan(4)
  })

  it('evacuation: the probe sends nothing above its range, reaches ~260 microns, and stays under 500 for 20 minutes', () => {
    const vac = during(tl, 'evacuation', 'vacuum_micron')
    expect(Math.max(...vac.map((p) => p.value))).toBeLessThanOrEqual(25_500)
    const d = decay(tl)
    expect(d[0]!.value).toBeLessThan(300)
    expect(d.at(-1)!.ts - d[0]!.ts).toBeGreaterThanOrEqual(19.8 * MINUTE_MS)
    expect(Math.max(...d.map((p) => p.value))).toBeLessThanOrEqual(450)
  })

  it('electrical: insulation ~200 MΩ, earth ~0.6 Ω, leakage ~0.45 mA, supply ~229 V', () => {
    const range = (ch: ChannelName) => {
      const vs = during(tl, 'electrical', ch).map((p) => p.value)
      expect(vs.length).toBeGreaterThan(5)
      return [Math.min(...vs), Math.max(...vs)]
    }
    expect(range('insulation_mohm')[0]).toBeGreaterThan(190)
    expect(range('earth_ohm')[1]).toBeLessThan(0.7)
    expect(range('leakage_ma')[1]).toBeLessThan(0.55)
    const [vmin, vmax] = range('voltage_v')
    expect(vmin).toBeGreaterThan(225)
    expect(vmax).toBeLessThan(233)
  })

  it('test run: the same healthy 31-minute cooling run as the "good" scenario', () => {
    const current = during(tl, 'test_run', 'current_a')
    expect(longestRunMs(current)).toBeGreaterThanOrEqual(30 * MINUTE_MS)
    expect(maxGapMs(current)).toBe(5_000)
  })

  it('fills in the installation record as the job goes, every declaration valid, complete at the end', () => {
    const rs = recordEvents(tl)
    for (const r of rs) expect(InstallationRecordSchema.safeParse(r.fields).success).toBe(true)
    expect(rs[0]!.fields).toEqual({ nameplateModel: 'KFR-35GW/SIM32' })
    expect(rs[0]!.at).toBeGreaterThan(window(tl, 'factory_charge').stop)
    expect(rs.at(-1)!.fields.customerSignature).toEqual({ name: 'Li Wei', signedAt: rs.at(-1)!.at })
    expect(rs.at(-1)!.at).toBeGreaterThan(window(tl, 'test_run').stop)
    const record = merged(tl)
    expect(Object.keys(record).sort()).toEqual(
      Object.keys(InstallationRecordSchema.shape)
        // Not needed on this job: no exception to sign, one nameplate model for the set, no ground-floor unit to fence.
        .filter((k) => !['invoiceModel', 'customerSignedCapacityException', 'indoorNameplateModel', 'outdoorNameplateModel', 'outdoorGuardNet'].includes(k))
        .sort(),
    )
    expect(record.photos?.length).toBeGreaterThanOrEqual(2)
  })

  it('every device declares itself on connect; every meter is in calibration for months', () => {
    const attrs = attributeEvents(tl)
    expect(attrs.map((a) => a.deviceRole).sort()).toEqual(['clamp', 'manifold', 'probe', 'tester', 'unit'])
    for (const a of attrs) {
      expect(a.at).toBe(START)
      const parsed = AttributesSchema.parse(JSON.parse(a.payload))
      if (a.deviceRole === 'unit') expect(parsed.calibrationDue).toBeUndefined()
      else expect(Date.parse(parsed.calibrationDue!)).toBeGreaterThan(START + 150 * 86_400_000)
    }
  })
})

describe('tightness-leak', () => {
  it('loses ~2 kPa/min at a constant pipe temperature: the raw and the compensated drop are both ~24 kPa', () => {
    const tl = timeline('tightness-leak')
    const h = hold(tl)
    const pipe = h.pipe.map((p) => p.value)
    expect(Math.max(...pipe) - Math.min(...pipe)).toBeLessThan(0.25) // the clamp's ±0.1 K noise
    const raw = h.pressure[0]!.value - h.pressure.at(-1)!.value
    expect(raw).toBeGreaterThan(20)
    expect(Math.abs(compensatedDropKpa(h) - raw)).toBeLessThan(2)
    // A steady loss: as much in the first half of the hold as in the second.
    const mid = h.pressure[Math.floor(h.pressure.length / 2)]!.value
    expect(Math.abs(h.pressure[0]!.value - mid - (mid - h.pressure.at(-1)!.value))).toBeLessThan(4)
  })
})

describe('leak-hidden-by-warming', () => {
  const tl = timeline('leak-hidden-by-warming')
  const h = hold(tl)

  it('keeps the raw pressure flat while the pipe warms 5 K', () => {
    const p0 = h.pressure[0]!.value
    for (const p of h.pressure) expect(Math.abs(p.value - p0)).toBeLessThan(5)
    expect(pipeAt(h.pipe, h.pressure.at(-1)!.ts) - pipeAt(h.pipe, h.pressure[0]!.ts)).toBeGreaterThan(4.5)
  })

  it('shows the leak once compensated: ~70 kPa below what the warming predicts', () => {
    expect(compensatedDropKpa(h)).toBeGreaterThan(50)
    expect(compensatedDropKpa(h)).toBeLessThan(90)
  })

  it('differs from the good commissioning only in the hold', () => {
    const good = timeline('commissioning')
    const outside = (t: TimelineEvent[]) => {
      const { start, stop } = window(t, 'tightness')
      return publishes(t).filter((p) => p.at < start || p.at > stop).map((p) => p.at)
    }
    expect(outside(tl)).toEqual(outside(good))
    expect(markers(tl)).toEqual(markers(good))
  })
})

describe('evacuation-wet and evacuation-leak', () => {
  /** Rise over the first and the second half of the decay test. */
  const halves = (name: string) => {
    const d = decay(timeline(name))
    const mid = d[Math.floor(d.length / 2)]!.value
    return { first: mid - d[0]!.value, second: d.at(-1)!.value - mid, top: Math.max(...d.map((p) => p.value)), isolated: d[0]!.value }
  }

  it('wet: reaches the target, then rises above 500 microns and levels off', () => {
    const r = halves('evacuation-wet')
    expect(r.isolated).toBeLessThanOrEqual(500)
    expect(r.top).toBeGreaterThan(1_000)
    expect(r.second).toBeLessThan(r.first / 3)
  })

  it('leak: reaches the target, then climbs steadily past 500 microns', () => {
    const r = halves('evacuation-leak')
    expect(r.isolated).toBeLessThanOrEqual(500)
    expect(r.top).toBeGreaterThan(1_000)
    expect(r.second / r.first).toBeGreaterThan(0.8)
    expect(r.second / r.first).toBeLessThan(1.25)
  })
})

describe('electrical faults', () => {
  it('bad-insulation: every insulation reading ~0.5 MΩ', () => {
    const ins = during(timeline('bad-insulation'), 'electrical', 'insulation_mohm')
    expect(ins.length).toBeGreaterThan(5)
    for (const p of ins) expect(Math.abs(p.value - 0.5)).toBeLessThanOrEqual(0.011)
  })

  it('no-earth: the installer declares no earth conductor and the tester reads over range', () => {
    const tl = timeline('no-earth')
    expect(markers(tl).find((m) => m.step === 'electrical' && m.action === 'start')!.facts).toMatchObject({ earth: false })
    for (const p of during(tl, 'electrical', 'earth_ohm')) expect(p.value).toBeGreaterThan(1_000)
  })
})

describe('wrong-model', () => {
  it('declares a nameplate other than the invoice, the rest of the record as in the good job', () => {
    const tl = timeline('wrong-model')
    const { nameplateModel, ...rest } = merged(tl)
    expect(nameplateModel).toBe('KFR-26GW/SIM32')
    expect(getScenario('wrong-model').unit.invoiceModel).toBe('KFR-35GW/SIM32')
    const { nameplateModel: good, ...goodRest } = merged(timeline('commissioning'))
    expect(good).toBe('KFR-35GW/SIM32')
    expect(rest).toEqual(goodRest)
  })
})

describe('uncalibrated-meter', () => {
  it('the clamp declares a due date before the job; the readings are those of the good job', () => {
    const tl = timeline('uncalibrated-meter')
    const due = (role: string) => AttributesSchema.parse(JSON.parse(attributeEvents(tl).find((a) => a.deviceRole === role)!.payload)).calibrationDue!
    expect(Date.parse(due('clamp'))).toBeLessThan(START - 30 * 86_400_000)
    for (const role of ['manifold', 'probe', 'tester']) expect(Date.parse(due(role))).toBeGreaterThan(START)
    expect(publishes(tl)).toEqual(publishes(timeline('commissioning')))
  })
})

describe('every commissioning', () => {
  it.each(COMMISSIONINGS)('%s runs the same procedure schedule and stays under 5,000 readings', (name) => {
    const tl = timeline(name)
    expect(markers(tl).map((m) => `${m.step} ${m.action}`)).toEqual(STEP_IDS.flatMap((s) => [`${s} start`, `${s} stop`]))
    expect(points(tl).length).toBeLessThan(5_000)
  })
})
