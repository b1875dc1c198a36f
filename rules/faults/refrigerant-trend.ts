/**
 * The arithmetic of the refrigerant-loss trend (issue 11): daily means of the suction
 * saturation temperature, kept per outdoor-temperature bin, and a least-squares slope over
 * days within one bin. A slow leak lowers the suction pressure, so its saturation
 * temperature, day after day at the same outdoor conditions; the weather moves it too,
 * which is why only days in the same outdoor bin are compared.
 *
 * Pure and bounded: one entry per (day, bin), days older than the window dropped, and at
 * most MAX_ENTRIES entries whatever the bin width.
 */
import { z } from 'zod'

import type { RefrigerantLossParams } from './fault-pack-schema.js'

export const DAY_MS = 86_400_000
/** Fewest paired samples for a day's mean in a bin: one reading is not a day (engineering choice). */
export const MIN_SAMPLES_PER_DAY = 3
/** Hard cap on (day, bin) entries: 30 days × ~16 bins is typical; this only guards odd packs. */
export const MAX_ENTRIES = 2000

export const DayBinSchema = z.object({ day: z.number().int(), bin: z.number().int(), sumC: z.number(), n: z.number().int().positive() }).strict()
export type DayBin = z.infer<typeof DayBinSchema>

/** Adds one saturation temperature to its (day, bin) mean; drops days that left the window. */
export function addSample(entries: readonly DayBin[], p: RefrigerantLossParams, t: number, outdoorC: number, satC: number): DayBin[] {
  const day = Math.floor(t / DAY_MS)
  const bin = Math.floor(outdoorC / p.binK.value)
  const oldest = day - p.windowDays.value + 1
  const out: DayBin[] = []
  let found = false
  for (const e of entries) {
    if (e.day < oldest) continue
    if (e.day === day && e.bin === bin) {
      out.push({ ...e, sumC: e.sumC + satC, n: e.n + 1 })
      found = true
    } else out.push(e)
  }
  if (!found) out.push({ day, bin, sumC: satC, n: 1 })
  if (out.length > MAX_ENTRIES) out.splice(0, out.length - MAX_ENTRIES)
  return out
}

export type TrendJudgement =
  | { status: 'falling' | 'steady'; slopeKPerDay: number; days: number; binFromC: number; binToC: number; message: string }
  | { status: 'cannot_judge'; reason: 'no_outdoor_temperature' | 'not_running' | 'no_saturation' | 'too_few_days'; days: number; message: string }

export interface TrendEvidence {
  entries: readonly DayBin[]
  /** Suction readings that found no outdoor temperature near them, that were taken while stopped, or off the table. */
  skipped: { noOutdoor: number; notRunning: number; noSaturation: number }
  /** Why saturation failed last (e.g. out of table), for the message. */
  saturationError: string | null
}

/** Least-squares slope of y over x; undefined with fewer than 2 distinct x. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number | undefined {
  const n = points.length
  if (n < 2) return undefined
  let sx = 0
  let sy = 0
  for (const p of points) {
    sx += p.x
    sy += p.y
  }
  const mx = sx / n
  const my = sy / n
  let sxy = 0
  let sxx = 0
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my)
    sxx += (p.x - mx) ** 2
  }
  return sxx === 0 ? undefined : sxy / sxx
}

/**
 * Judges the trend in the bin with the most qualifying days (ties: the later days win, they
 * describe the charge now). Says what it could not judge rather than guessing.
 */
export function judgeTrend(ev: TrendEvidence, p: RefrigerantLossParams): TrendJudgement {
  const byBin = new Map<number, { x: number; y: number }[]>()
  for (const e of ev.entries) {
    if (e.n < MIN_SAMPLES_PER_DAY) continue
    let pts = byBin.get(e.bin)
    if (!pts) byBin.set(e.bin, (pts = []))
    pts.push({ x: e.day, y: e.sumC / e.n })
  }
  let best: { bin: number; pts: { x: number; y: number }[] } | undefined
  for (const [bin, pts] of byBin) {
    const lastDay = (q: { x: number }[]) => q.reduce((m, v) => Math.max(m, v.x), -Infinity)
    if (!best || pts.length > best.pts.length || (pts.length === best.pts.length && lastDay(pts) > lastDay(best.pts))) best = { bin, pts }
  }
  const days = best?.pts.length ?? 0
  const need = p.minDays.value
  if (!best || days < need) {
    const { noOutdoor, notRunning, noSaturation } = ev.skipped
    if (days === 0 && noOutdoor > 0 && noOutdoor >= notRunning && noOutdoor >= noSaturation)
      return { status: 'cannot_judge', reason: 'no_outdoor_temperature', days, message: `refrigerant-loss trend not judged: ${noOutdoor} suction readings had no outdoor temperature (temp_outdoor_c) within ${p.pairWithinS.value} s, and only days at comparable outdoor temperature can be compared` }
    if (days === 0 && noSaturation > 0 && noSaturation >= notRunning)
      return { status: 'cannot_judge', reason: 'no_saturation', days, message: `refrigerant-loss trend not judged: no saturation temperature for the suction readings (${ev.saturationError ?? 'unknown refrigerant'})` }
    if (days === 0 && notRunning > 0)
      return { status: 'cannot_judge', reason: 'not_running', days, message: `refrigerant-loss trend not judged: every suction reading was taken with the compressor stopped (current below ${p.runningCurrentMinA.value} A or no current reading within ${p.pairWithinS.value} s)` }
    return { status: 'cannot_judge', reason: 'too_few_days', days, message: `refrigerant-loss trend not judged: ${days} day(s) with ${MIN_SAMPLES_PER_DAY}+ readings at comparable outdoor temperature, ${need} needed` }
  }
  const slope = leastSquaresSlope(best.pts) ?? 0
  const from = best.bin * p.binK.value
  const to = from + p.binK.value
  const falling = slope <= -p.maxFallKPerDay.value
  const rounded = Math.round(slope * 1000) / 1000
  const message = falling
    ? `suction saturation temperature falling ${-rounded} K/day over ${days} days at outdoor ${from}-${to} °C (limit ${p.maxFallKPerDay.value} K/day): possible refrigerant loss, check for leaks`
    : `suction saturation temperature ${rounded} K/day over ${days} days at outdoor ${from}-${to} °C: no loss trend (limit -${p.maxFallKPerDay.value} K/day)`
  return { status: falling ? 'falling' : 'steady', slopeKPerDay: slope, days, binFromC: from, binToC: to, message }
}
