/**
 * How much a compensated pressure drop may show on a tight system: the expanded
 * uncertainty of the drop from the meters' stated accuracy and resolution, combined as the
 * GUM does it (JCGM 100:2008, "Evaluation of measurement data - Guide to the expression of
 * uncertainty in measurement").
 *
 * The drop is D = P2,expected(P1, T1, T2) − P2 (pressures kPa(g) from one transducer, pipe
 * temperatures from the clamp probe). Its inputs and how each is treated:
 * - Transducer accuracy ±a (a = %FS × FS + % reading × P + fixed kPa): a stated limit read
 *   as a rectangular distribution, u = a/√3 (GUM 4.3.7). The same transducer on the same
 *   range reads P1 and P2, so its error is the same at both: correlation r = +1 (GUM 5.2.2,
 *   eq. 16), and it enters the drop only as (∂D/∂P1 + ∂D/∂P2) u = (c1 − 1) u: an offset
 *   cancels except for the small share the compensation rescales.
 * - Transducer resolution δp: u = δp/√12 at each end (GUM F.2.2.1), independent.
 * - Clamp probe accuracy ±b: u = b/√3 at each end, taken as independent: what the clamp
 *   reads of the gas changes between start and end with contact, sun, wind and the lag of
 *   the gas behind the pipe wall. Its sensitivity is (∂P/∂T) at constant volume from the
 *   nitrogen equation of state (rules/gas/nitrogen.ts): ~15 kPa/K at 4 MPa(g), 20 °C.
 * - Probe resolution δT: u = δT/√12 at each end.
 * Combined standard uncertainty u_c = √(Σ (c_i u_i)²) (GUM 5.1.2, with the correlated
 * pressure term above); expanded U = k u_c (GUM 6.2.1), k = 2 for about 95 % (GUM 6.3.3).
 */
import { z } from 'zod'

import { finite, sourced } from '../sourced.js'
import { n2IsochoricPressureKpa } from '../gas/nitrogen.js'
import type { MeterAccuracy } from '../meter-accuracy.js'

export const UncertaintyParamsSchema = z
  .object({
    /** Pressure transducer accuracy, ± % of full scale (used when the meter declares none). */
    pressureAccuracyPctFs: sourced(finite().nonnegative()),
    /** The transducer's full scale, kPa. */
    pressureFullScaleKpa: sourced(finite().positive()),
    /** Pressure resolution (one display or reported digit), kPa. */
    pressureResolutionKpa: sourced(finite().nonnegative()),
    /** Pipe-clamp probe accuracy, ± K. */
    probeAccuracyK: sourced(finite().nonnegative()),
    /** Probe resolution, K. */
    probeResolutionK: sourced(finite().nonnegative()),
    /** Coverage factor k of the expanded uncertainty. */
    coverageFactor: sourced(finite().positive()),
  })
  .strict()
export type UncertaintyParams = z.infer<typeof UncertaintyParamsSchema>

/** One line of the uncertainty budget, kPa (standard uncertainty times its sensitivity). */
export interface BudgetLine {
  what: string
  kpa: number
}

export interface DropUncertainty {
  /** Expanded uncertainty U = k u_c, kPa: the largest compensated drop a tight system shows. */
  allowedKpa: number
  combinedKpa: number
  k: number
  lines: BudgetLine[]
  /** (∂P/∂T)v at the hold's end, kPa/K. */
  slopeKpaPerK: number
  /** Where the accuracy figures came from, e.g. "manifold-1 declared" or "pack defaults". */
  basis: string
}

export interface HoldState {
  p1KpaG: number
  t1C: number
  p2KpaG: number
  t2C: number
  atmosphereKpa: number
}

const SQRT3 = Math.sqrt(3)
const SQRT12 = Math.sqrt(12)

/** ±a of the transducer at pressure p (kPa(g)), and what it is based on. */
function transducerLimit(p: number, params: UncertaintyParams, meter: MeterAccuracy): { a: number; text: string } {
  const fs = meter.pressureFullScaleKpa ?? params.pressureFullScaleKpa.value
  const declared = meter.pressureAccuracyPctFs !== undefined || meter.pressureAccuracyPctReading !== undefined || meter.pressureAccuracyKpa !== undefined
  const pctFs = declared ? (meter.pressureAccuracyPctFs ?? 0) : params.pressureAccuracyPctFs.value
  const pctRdg = declared ? (meter.pressureAccuracyPctReading ?? 0) : 0
  const fixed = declared ? (meter.pressureAccuracyKpa ?? 0) : 0
  const a = (pctFs * fs) / 100 + (pctRdg * Math.abs(p)) / 100 + fixed
  const parts: string[] = []
  if (pctFs > 0) parts.push(`${pctFs} % of ${fs} kPa FS`)
  if (pctRdg > 0) parts.push(`${pctRdg} % of reading`)
  if (fixed > 0) parts.push(`${fixed} kPa`)
  return { a, text: `±${round(a, 1)} kPa (${parts.join(' + ') || '0'})` }
}

const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d

/**
 * The uncertainty budget of one hold's compensated drop. `pressureMeter` and `probe` are
 * what the two instruments declared ({} when nothing: the pack's defaults apply).
 */
export function dropUncertainty(s: HoldState, params: UncertaintyParams, pressureMeter: MeterAccuracy, probe: MeterAccuracy, basis: string): DropUncertainty {
  const atm = s.atmosphereKpa
  const expected = (p1: number, t1: number, t2: number) => n2IsochoricPressureKpa(p1 + atm, t1, t2) - atm
  // Sensitivity coefficients of D = expected(P1, T1, T2) − P2, by central differences on the equation of state.
  const hP = 1
  const hT = 0.01
  const c1 = (expected(s.p1KpaG + hP, s.t1C, s.t2C) - expected(s.p1KpaG - hP, s.t1C, s.t2C)) / (2 * hP)
  const cT1 = (expected(s.p1KpaG, s.t1C + hT, s.t2C) - expected(s.p1KpaG, s.t1C - hT, s.t2C)) / (2 * hT)
  const cT2 = (expected(s.p1KpaG, s.t1C, s.t2C + hT) - expected(s.p1KpaG, s.t1C, s.t2C - hT)) / (2 * hT)

  const limit = transducerLimit(s.p1KpaG, params, pressureMeter)
  const dp = pressureMeter.pressureResolutionKpa ?? params.pressureResolutionKpa.value
  const b = probe.temperatureAccuracyK ?? params.probeAccuracyK.value
  const dT = probe.temperatureResolutionK ?? params.probeResolutionK.value
  const k = params.coverageFactor.value

  const uRes = dp / SQRT12
  const uProbe = b / SQRT3
  const uProbeRes = dT / SQRT12
  const lines: BudgetLine[] = [
    { what: `transducer ${limit.text}, same at both ends (r = 1): ×|c1 − 1| = ${round(Math.abs(c1 - 1), 4)}`, kpa: Math.abs(c1 - 1) * (limit.a / SQRT3) },
    { what: `pressure resolution ${dp} kPa at start and end`, kpa: Math.hypot(c1 * uRes, uRes) },
    { what: `probe ±${b} K at the start × ${round(Math.abs(cT1), 1)} kPa/K`, kpa: Math.abs(cT1) * uProbe },
    { what: `probe ±${b} K at the end × ${round(Math.abs(cT2), 1)} kPa/K`, kpa: Math.abs(cT2) * uProbe },
    { what: `probe resolution ${dT} K at start and end`, kpa: Math.hypot(cT1 * uProbeRes, cT2 * uProbeRes) },
  ]
  let sumSq = 0
  for (const l of lines) sumSq += l.kpa * l.kpa
  const combinedKpa = Math.sqrt(sumSq)
  return { allowedKpa: k * combinedKpa, combinedKpa, k, lines, slopeKpaPerK: cT2, basis }
}

/** "allowed 12.6 kPa = k 2 × u_c 6.32 kPa (GUM, pressure: pack default accuracy; …; probe ±0.5 K at the start × 15.3 kPa/K: 4.42 kPa; …)" */
export function describeBudget(u: DropUncertainty): string {
  const lines = u.lines.map((l) => `${l.what}: ${l.kpa.toFixed(2)} kPa`).join('; ')
  return `allowed ${u.allowedKpa.toFixed(1)} kPa = k ${u.k} × u_c ${u.combinedKpa.toFixed(2)} kPa (GUM, ${u.basis}; ${lines})`
}
