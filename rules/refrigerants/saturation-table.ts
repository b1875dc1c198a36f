/**
 * A saturation-pressure table and the interpolation between its rows. Pure math: no
 * refrigerant names here (see index.ts).
 *
 * Between rows, ln(P) is interpolated linearly in 1/T (T in kelvin). That is the shape of
 * the Clausius-Clapeyron relation, ln P ≈ A − B/T, so 5 K rows reproduce the equations of
 * state they were computed from to better than 0.01 K from −40 to +65 °C (checked against
 * the EOS at the midpoints, test/rules/refrigerants/refrigerants.test.ts); linear interpolation of P in
 * T would be off by up to ~0.1 K. Each piece is strictly increasing, so the table can be
 * inverted exactly: pressure → temperature is the same line read the other way.
 *
 * Outside the table the functions return undefined: never extrapolated.
 */

const KELVIN = 273.15

export interface SaturationTable {
  /** Temperature of the first row, °C. */
  firstC: number
  /** Temperature step between rows, K. */
  stepC: number
  /** Saturation pressure at each row, kPa ABSOLUTE, strictly increasing. */
  kPaAbs: readonly number[]
}

interface Point {
  /** 1/T, 1/K. */
  x: number
  /** ln(P / kPa). */
  y: number
}

function point(t: SaturationTable, i: number): Point | undefined {
  const p = t.kPaAbs[i]
  if (p === undefined) return undefined
  return { x: 1 / (t.firstC + i * t.stepC + KELVIN), y: Math.log(p) }
}

/** Range of the table: first and last row. */
export function tableRange(t: SaturationTable): { minC: number; maxC: number; minKPaAbs: number; maxKPaAbs: number } {
  const n = t.kPaAbs.length
  return { minC: t.firstC, maxC: t.firstC + (n - 1) * t.stepC, minKPaAbs: t.kPaAbs[0] ?? Number.NaN, maxKPaAbs: t.kPaAbs[n - 1] ?? Number.NaN }
}

/** Saturation pressure (kPa absolute) at tempC, or undefined outside the table. */
export function pressureAt(t: SaturationTable, tempC: number): number | undefined {
  const { minC, maxC } = tableRange(t)
  if (!(tempC >= minC && tempC <= maxC)) return undefined
  // The row at or below tempC; the last row pairs with the one before it.
  const i = Math.min(Math.floor((tempC - minC) / t.stepC), t.kPaAbs.length - 2)
  const a = point(t, i)
  const b = point(t, i + 1)
  if (!a || !b) return undefined
  const x = 1 / (tempC + KELVIN)
  return Math.exp(a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x))
}

/** Saturation temperature (°C) at kPaAbs, or undefined outside the table. */
export function temperatureAt(t: SaturationTable, kPaAbs: number): number | undefined {
  const { minKPaAbs, maxKPaAbs } = tableRange(t)
  // Floating-point noise only (gauge ↔ absolute, exp ∘ log): an edge row read back stays inside.
  const eps = 1e-12 * maxKPaAbs
  if (!(kPaAbs >= minKPaAbs - eps && kPaAbs <= maxKPaAbs + eps)) return undefined
  const p = Math.min(Math.max(kPaAbs, minKPaAbs), maxKPaAbs)
  let i = 0
  // 22 rows: a linear scan is clearer than a binary search and just as fast here.
  while (i < t.kPaAbs.length - 2 && p > (t.kPaAbs[i + 1] ?? Number.POSITIVE_INFINITY)) i++
  const a = point(t, i)
  const b = point(t, i + 1)
  if (!a || !b) return undefined
  const x = a.x + ((b.x - a.x) * (Math.log(p) - a.y)) / (b.y - a.y)
  return 1 / x - KELVIN
}
