/**
 * An independent reference for the tests: the pure-nitrogen equation of state of
 * GERG-2008 (Kunz and Wagner, "The GERG-2008 Wide-Range Equation of State for Natural
 * Gases and Other Mixtures: An Expansion of GERG-2004", J. Chem. Eng. Data 57(11):3032-3091,
 * 2012, Table A3 nitrogen), a different fit from a different paper than the Span et al.
 * (2000) equation the gateway uses. Stated density uncertainty of GERG-2008 for nitrogen
 * in the gas phase: about 0.1 %. Pressure only: P = ρRT(1 + δ ∂αʳ/∂δ).
 */
const TC = 126.192
const RHOC = 11.1839
const R = 8.314472

// [n, d, t] for the polynomial terms, [n, d, t, c] for the exponential ones.
const POLY: [number, number, number][] = [
  [0.59889711801201, 1, 0.125], [-0.16941557480731e1, 1, 1.125], [0.24579736191718, 2, 0.375],
  [-0.23722456755175, 2, 1.125], [0.17954918715141e-1, 4, 0.625], [0.14592875720215e-1, 4, 1.5],
]
const EXPO: [number, number, number, number][] = [
  [0.10008065936206, 1, 0.625, 1], [0.73157115385532, 1, 2.625, 1], [-0.88372272336366, 1, 2.75, 1],
  [0.31887660246708, 2, 2.125, 1], [0.20766491728799, 3, 2, 1], [-0.19379315454158e-1, 6, 1.75, 1],
  [-0.16936641554983, 2, 4.5, 2], [0.13546846041701, 3, 4.75, 2], [-0.33066712095307e-1, 3, 5, 2],
  [-0.60690817018557e-1, 4, 4, 2], [0.12797548292871e-1, 4, 4.5, 2], [0.58743664107299e-2, 2, 7.5, 3],
  [-0.018451951971969, 3, 14, 3], [0.47226622042472e-2, 4, 11.5, 3], [-0.52024079680599e-2, 5, 26, 6],
  [0.043563505956635, 6, 28, 6], [-0.36251690750939e-1, 6, 30, 6], [-0.28974026866543e-2, 7, 16, 6],
]

export function gergPressureKpa(rho: number, tK: number): number {
  const delta = rho / RHOC
  const tau = TC / tK
  let sum = 0
  for (const [n, d, t] of POLY) sum += n * d * delta ** d * tau ** t
  for (const [n, d, t, c] of EXPO) sum += n * delta ** d * tau ** t * Math.exp(-(delta ** c)) * (d - c * delta ** c)
  return rho * R * tK * (1 + sum)
}

/** Density at P (kPa abs) and T (K) by bisection between 0 and 3× the ideal-gas density. */
export function gergDensity(pKpa: number, tK: number): number {
  let lo = 0
  let hi = (3 * pKpa) / (R * tK)
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2
    if (gergPressureKpa(mid, tK) < pKpa) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** Constant-volume pressure at t2 of nitrogen filled to p1 (kPa abs) at t1 (°C). */
export function gergIsochoricKpa(p1Kpa: number, t1C: number, t2C: number): number {
  return gergPressureKpa(gergDensity(p1Kpa, t1C + 273.15), t2C + 273.15)
}
