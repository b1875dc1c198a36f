/**
 * The tightness test judged from a summary extended window by window (rules/steps/
 * tightness-summary.ts) gives, after every extension, the bytes evaluateTightness gives for
 * the same readings as whole arrays (issue 8, "evaluation is incremental"). Random series
 * (seeded): staged fills, holds with drift and noise, vents and re-fills, fast runs that end
 * exactly at the newest reading, two meters on both pressure channels, two probes, repeated
 * device times, readings before the step's start. And the resumed hold scan equals the
 * findHolds this project had before it was made resumable (kept below as the reference).
 */
import { describe, expect, it } from 'vitest'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import { mulberry32 } from '../../firmware-sim/prng.js'
import { holdScan, scanHolds, type Hold } from '../../rules/steps/pressure-holds.js'
import type { SeriesWindow } from '../../rules/steps/series-window.js'
import { evaluateTightness, type TightnessParams } from '../../rules/steps/tightness.js'
import { evaluateTightnessWindows, type TightnessSummary } from '../../rules/steps/tightness-summary.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'

const packs = loadRulePacks(defaultPacksDir())
const VRF = packs.get('vrf-r410a')!.steps.tightness! // with fill stages
const SPLIT = packs.get('split-ac')!.steps.tightness!

const prng = mulberry32

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)

/** One meter's pressure: stages, a fill, a hold with drift and noise, sometimes a vent and re-fill, sometimes a fill at the very end. */
function pressureSeries(rand: () => number, deviceId: string, channel: ChannelName, top: number): Reading[] {
  const out: Reading[] = []
  let ts = T0 - 60_000
  let v = 0
  const step = () => 1000 * (1 + Math.floor(rand() * 5))
  const push = (value: number) => {
    ts += step()
    out.push({ deviceId, channel, ts, value, receivedAt: ts + 500 })
    // A repeated device time now and then (a second reading of that instant, arrived later).
    if (rand() < 0.02) out.push({ deviceId, channel, ts, value: value + 1, receivedAt: ts + 900 })
  }
  const ramp = (to: number, rate: number) => {
    while (Math.abs(to - v) > rate) push((v += Math.sign(to - v) * rate * (0.5 + rand())))
    push((v = to))
  }
  const hold = (n: number, drift: number) => {
    for (let i = 0; i < n; i++) push(v + drift * i + (rand() - 0.5) * 6)
  }
  for (const level of rand() < 0.7 ? [300, 1500] : [900]) {
    ramp(level, 20 + rand() * 30)
    hold(40 + Math.floor(rand() * 80), 0)
  }
  ramp(top, 25)
  hold(200 + Math.floor(rand() * 300), -(rand() * 0.05))
  if (rand() < 0.6) {
    ramp(top - 600, 40) // vent
    hold(20, 0)
    ramp(top + (rand() - 0.5) * 60, 30) // re-fill
    hold(100 + Math.floor(rand() * 200), -(rand() * 0.1))
  }
  if (rand() < 0.5) ramp(top + 80, 10) // a top-up still going on at the end
  return out
}

function tempSeries(rand: () => number, deviceId: string, until: number): Reading[] {
  const out: Reading[] = []
  for (let ts = T0 - 30_000; ts <= until; ts += 1000 * (2 + Math.floor(rand() * 4))) {
    out.push({ deviceId, channel: 'temp_pipe_c', ts, value: 20 + 3 * Math.sin(ts / 3_600_000) + (rand() - 0.5) * 0.4, receivedAt: ts + 300 })
  }
  return out
}

/** Sorted per device as the cache keeps it (device time, then arrival). */
const sorted = (rs: Reading[]) => rs.sort((a, b) => a.ts - b.ts || a.receivedAt - b.receivedAt)

interface Scenario {
  series: Reading[][]
  start: number
  end: number
}

function scenario(seed: number): Scenario {
  const rand = prng(seed)
  const top = 4000 + Math.floor(rand() * 150)
  const series: Reading[][] = []
  for (const deviceId of ['vrf-b', 'vrf-a']) for (const channel of ['pressure_high_kpag', 'pressure_low_kpag'] as const) series.push(sorted(pressureSeries(rand, deviceId, channel, channel === 'pressure_low_kpag' ? top - 10 : top)))
  let end = -Infinity
  for (const s of series) end = Math.max(end, s.at(-1)!.ts)
  for (const deviceId of ['clamp-2', 'clamp-1']) series.push(sorted(tempSeries(rand, deviceId, end)))
  return { series, start: T0, end }
}

const window = (rs: Reading[], from: number, to: number): SeriesWindow => {
  let lo = 0
  while (lo < rs.length && rs[lo]!.ts < from) lo++
  let hi = lo
  while (hi < rs.length && rs[hi]!.ts <= to) hi++
  return { deviceId: rs[0]!.deviceId, channel: rs[0]!.channel, readings: rs, lo, hi }
}

function both(params: TightnessParams, sc: Scenario, now: number, prev: TightnessSummary | undefined, arrays = sc.series) {
  const base = { params, window: { start: sc.start }, now, facts: { gas: 'nitrogen' }, meters: new Map([['vrf-a', { pressureAccuracyKpa: 5 }]]) }
  const byChannel: Partial<Record<ChannelName, SeriesWindow[]>> = {}
  const readings: Partial<Record<ChannelName, Reading[]>> = {}
  for (const rs of arrays) {
    const w = window(rs, sc.start, now)
    ;(byChannel[w.channel] ??= []).push(w)
    for (const r of rs) (readings[r.channel] ??= []).push(r)
  }
  const visits = { readings: 0 }
  const incremental = evaluateTightnessWindows({ ...base, series: byChannel }, prev, visits)
  const whole = evaluateTightness({ ...base, readings })
  return { incremental, whole, visits }
}

describe('the tightness summary, extended step by step, judges as the whole arrays do', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i, with and without stages', (seed) => {
    const sc = scenario(seed)
    for (const params of [VRF, SPLIT]) {
      const rand = prng(seed * 1000)
      let prev: TightnessSummary | undefined
      let now = sc.start + 30_000
      let evaluations = 0
      let extended = 0
      const statuses = new Set<string>()
      while (now < sc.end + 5000) {
        const { incremental, whole } = both(params, sc, now, prev)
        expect(incremental, `seed ${seed} at ${now - sc.start} ms`).toBeDefined()
        expect(JSON.stringify(incremental!.result), `seed ${seed} at ${now - sc.start} ms`).toBe(JSON.stringify(whole))
        if (prev && incremental!.rebuilt === 0) extended++
        for (const c of whole.checks) statuses.add(`${c.id}:${c.status}`)
        prev = incremental!.summary
        evaluations++
        // Mostly a few readings at a time, now and then a long stretch.
        now += rand() < 0.1 ? 200_000 * rand() : 1000 + Math.floor(rand() * 20_000)
      }
      expect(evaluations).toBeGreaterThan(30)
      expect(extended).toBe(evaluations - 1) // every evaluation after the first extended the summary
      expect(statuses.size).toBeGreaterThan(4) // the checks went through several states
    }
  })

  it('starts again when the objects were rebuilt, and declines what the arrays path reorders', () => {
    const sc = scenario(11)
    const mid = sc.start + (sc.end - sc.start) / 2
    const first = both(VRF, sc, mid, undefined)
    // The cache rebuilt its objects (a late reading merged in): same readings, new objects.
    const copies = sc.series.map((rs) => rs.map((r) => ({ ...r })))
    const again = both(VRF, sc, mid + 10_000, first.incremental!.summary, copies)
    expect(again.incremental!.rebuilt).toBe(6)
    expect(JSON.stringify(again.incremental!.result)).toBe(JSON.stringify(again.whole))
    const extended = both(VRF, sc, mid + 20_000, again.incremental!.summary, copies)
    expect(extended.incremental!.rebuilt).toBe(0)
    // Two readings of one instant whose arrival order is not their byTime order: the arrays path sorts them.
    const swapped = copies.map((rs) => rs.slice())
    const s0 = swapped[0]!
    const k = s0.findIndex((r) => r.ts > mid)
    s0.splice(k, 0, { ...s0[k]!, receivedAt: s0[k]!.receivedAt + 1000, value: s0[k]!.value + 2 }) // arrived later, listed first
    expect(both(VRF, sc, sc.end, undefined, swapped).incremental).toBeUndefined()
  })

  it('touches the appended readings and a bounded few, not the series', () => {
    const sc = scenario(3)
    const first = both(VRF, sc, sc.end - 60_000, undefined)
    let total = 0
    for (const rs of sc.series) total += rs.length
    expect(first.visits.readings).toBeGreaterThan(total / 2)
    const next = both(VRF, sc, sc.end - 55_000, first.incremental!.summary)
    expect(JSON.stringify(next.incremental!.result)).toBe(JSON.stringify(next.whole))
    // Five seconds more: a few readings per series, the fits' ±60 s at the hold's end, binary searches.
    expect(next.visits.readings).toBeLessThan(1000)
  })
})

/** findHolds as it was before the scan could resume (commit bc0c950), the reference for scanHolds. */
function referenceHolds(rs: readonly Reading[], testKpaG: number): Hold[] {
  const fastSign = (a: Reading, b: Reading) => {
    const dt = (b.ts - a.ts) / 1000
    const rate = dt > 0 ? (b.value - a.value) / dt : 0
    return rate > 0.5 ? 1 : rate < -0.5 ? -1 : 0
  }
  const holds: Hold[] = []
  const addSegment = (from: number, to: number, cut?: Hold['cut']) => {
    let i = from
    while (i <= to && i < rs.length && !(rs[i]!.value >= testKpaG)) i++
    if (i > to || i >= rs.length) i = -1
    const start = rs[i]
    const end = rs[to]
    if (i >= 0 && start && end) holds.push(cut ? { start, end, cut } : { start, end })
  }
  let segStart = 0
  for (let i = 1; i < rs.length; i++) {
    const sign = fastSign(rs[i - 1]!, rs[i]!)
    if (sign === 0) continue
    let j = i
    while (j + 1 < rs.length && fastSign(rs[j]!, rs[j + 1]!) === sign) j++
    if (Math.abs(rs[j]!.value - rs[i - 1]!.value) >= 10) {
      addSegment(segStart, i - 1, { kind: sign > 0 ? 'fill' : 'fall', to: rs[j]! })
      segStart = j
    }
    i = j
  }
  if (rs.length > 0) addSegment(segStart, rs.length - 1)
  return holds
}

describe('scanHolds resumed reading by reading equals the reference findHolds', () => {
  it.each([1, 2, 3, 4, 5])('seed %i', (seed) => {
    const rand = prng(seed)
    const rs = pressureSeries(rand, 'm', 'pressure_high_kpag', 4000)
    let scan = holdScan(0, 4000)
    let cuts = 0
    for (let hi = 1; hi <= rs.length; hi += 1 + Math.floor(rand() * 3)) {
      const got = scanHolds(rs, hi, scan)
      const want = referenceHolds(rs.slice(0, hi), 4000)
      expect(got.holds).toEqual(want)
      expect(got.firstStart).toBe(want[0] ? rs.indexOf(want[0].start) : -1)
      cuts = Math.max(cuts, want.length)
      scan = got.scan
    }
    expect(cuts).toBeGreaterThanOrEqual(1)
  })
})
