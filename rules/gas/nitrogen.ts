/**
 * Nitrogen in a sealed pipe: the state at constant volume. The moles in a tight system do
 * not change, so the density stays what it was at the hold's start; the pressure at a new
 * temperature is the equation of state at that density (Span et al. 2000, see
 * nitrogen-span-2000.ts). Pressures here are absolute, kPa; temperatures °C at the API.
 *
 * Domain: gas above 200 K and below 20 MPa (a tightness test is at most ~4.5 MPa between
 * -30 and 70 °C): far from the two-phase region (Tc = 126.192 K), so the density at a
 * given P and T is unique and Newton's method from the ideal gas converges in a few steps.
 */
import { N2_R, n2CompressibilityZ, n2PressureKpa } from './nitrogen-span-2000.js'

const KELVIN = 273.15
const MIN_T_K = 200
const MAX_P_KPA = 20_000

function checkDomain(pKpa: number, tK: number): void {
  if (!(tK >= MIN_T_K) || !(pKpa > 0) || !(pKpa <= MAX_P_KPA)) {
    throw new RangeError(`nitrogen state out of range: ${pKpa} kPa(a) at ${tK} K (supported: 0-${MAX_P_KPA} kPa(a), >= ${MIN_T_K} K)`)
  }
}

/** Density, mol/dm³, of nitrogen at absolute pressure P (kPa) and T (K). */
export function n2DensityMolDm3(pKpa: number, tK: number): number {
  checkDomain(pKpa, tK)
  let rho = pKpa / (N2_R * tK)
  for (let i = 0; i < 50; i++) {
    const f = n2PressureKpa(rho, tK) - pKpa
    // Numerical ∂P/∂ρ: the EOS is smooth here and a relative step of 1e-6 is exact to ~1e-9.
    const h = rho * 1e-6
    const dPdRho = (n2PressureKpa(rho + h, tK) - n2PressureKpa(rho - h, tK)) / (2 * h)
    const step = f / dPdRho
    rho -= step
    if (Math.abs(step) < rho * 1e-12) return rho
  }
  return rho
}

/** Absolute pressure (kPa) of a sealed volume of nitrogen filled to p1 (kPa abs) at t1 (°C), once it is at t2 (°C). */
export function n2IsochoricPressureKpa(p1Kpa: number, t1C: number, t2C: number): number {
  const rho = n2DensityMolDm3(p1Kpa, t1C + KELVIN)
  checkDomain(p1Kpa, t2C + KELVIN)
  return n2PressureKpa(rho, t2C + KELVIN)
}

/** (∂P/∂T) at constant volume, kPa/K, at p (kPa abs) and t (°C): what one kelvin of probe error is worth. */
export function n2IsochoricSlopeKpaPerK(pKpa: number, tC: number): number {
  const tK = tC + KELVIN
  const rho = n2DensityMolDm3(pKpa, tK)
  return (n2PressureKpa(rho, tK + 0.01) - n2PressureKpa(rho, tK - 0.01)) / 0.02
}

/** Compressibility factor at p (kPa abs) and t (°C), for the verdict's explanation. */
export function n2Z(pKpa: number, tC: number): number {
  const tK = tC + KELVIN
  return n2CompressibilityZ(n2DensityMolDm3(pKpa, tK), tK)
}
