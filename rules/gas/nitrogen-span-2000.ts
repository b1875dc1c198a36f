/**
 * The reference equation of state for nitrogen: Span, Lemmon, Jacobsen, Wagner and
 * Yokozeki, "A Reference Equation of State for the Thermodynamic Properties of Nitrogen
 * for Temperatures from 63.151 to 1000 K and Pressures to 2200 MPa", J. Phys. Chem. Ref.
 * Data 29(6):1361-1433 (2000), doi:10.1063/1.1349047 (the equation NIST's Webbook and
 * REFPROP use for N2). Only what a pressure needs is here: the residual Helmholtz energy's
 * density derivative, from the paper's Table 17 coefficients (36 terms).
 *
 *   P = ρRT (1 + δ ∂αʳ/∂δ),  δ = ρ/ρc, τ = Tc/T
 *
 * Stated uncertainty of the equation in density: 0.02 % below 30 MPa at room temperature
 * (paper, section 4): far below any field meter.
 */

/** Critical temperature, K; critical density, mol/dm³ (313.3 kg/m³ / 28.01348 g/mol); molar gas constant, J/(mol K) as the paper uses it. */
export const N2_TC_K = 126.192
export const N2_RHOC_MOL_DM3 = 11.1839
export const N2_R = 8.31451
export const N2_MOLAR_MASS_G_MOL = 28.01348

// Terms 1-6: n δ^d τ^t.
const POLY: readonly (readonly [n: number, d: number, t: number])[] = [
  [0.924803575275, 1, 0.25],
  [-0.492448489428, 1, 0.875],
  [0.661883336938, 2, 0.5],
  [-0.192902649201e1, 2, 0.875],
  [-0.622469309629e-1, 3, 0.375],
  [0.349943957581, 3, 0.75],
]

// Terms 7-32: n δ^d τ^t exp(-δ^c).
const EXPO: readonly (readonly [n: number, d: number, t: number, c: number])[] = [
  [0.564857472498, 1, 0.5, 1],
  [-0.161720005987e1, 1, 0.75, 1],
  [-0.481395031883, 1, 2, 1],
  [0.421150636384, 3, 1.25, 1],
  [-0.161962230825e-1, 3, 3.5, 1],
  [0.172100994165, 4, 1, 1],
  [0.735448924933e-2, 6, 0.5, 1],
  [0.168077305479e-1, 6, 3, 1],
  [-0.107626664179e-2, 7, 0, 1],
  [-0.137318088513e-1, 7, 2.75, 1],
  [0.635466899859e-3, 8, 0.75, 1],
  [0.304432279419e-2, 8, 2.5, 1],
  [-0.435762336045e-1, 1, 4, 2],
  [-0.723174889316e-1, 2, 6, 2],
  [0.389644315272e-1, 3, 6, 2],
  [-0.21220136391e-1, 4, 3, 2],
  [0.408822981509e-2, 5, 3, 2],
  [-0.551990017984e-4, 8, 6, 2],
  [-0.462016716479e-1, 4, 16, 3],
  [-0.300311716011e-2, 5, 11, 3],
  [0.368825891208e-1, 5, 15, 3],
  [-0.25585684622e-2, 8, 12, 3],
  [0.896915264558e-2, 3, 12, 4],
  [-0.44151337035e-2, 5, 7, 4],
  [0.133722924858e-2, 6, 4, 4],
  [0.264832491957e-3, 9, 16, 4],
]

// Terms 33-36: n δ^d τ^t exp(-α(δ-ε)² - β(τ-γ)²), ε = 1.
const GAUSS: readonly (readonly [n: number, d: number, t: number, alpha: number, beta: number, gamma: number])[] = [
  [0.196688194015e2, 1, 0, 20, 325, 1.16],
  [-0.20911560073e2, 1, 1, 20, 325, 1.16],
  [0.167788306989e-1, 3, 2, 15, 300, 1.13],
  [0.262767566274e4, 2, 3, 25, 275, 1.25],
]

/** δ ∂αʳ/∂δ at (δ, τ). */
function deltaDAlphaR(delta: number, tau: number): number {
  let sum = 0
  for (const [n, d, t] of POLY) sum += n * d * delta ** d * tau ** t
  for (const [n, d, t, c] of EXPO) {
    const dc = delta ** c
    sum += n * delta ** d * tau ** t * Math.exp(-dc) * (d - c * dc)
  }
  for (const [n, d, t, a, b, g] of GAUSS) {
    const e = Math.exp(-a * (delta - 1) ** 2 - b * (tau - g) ** 2)
    sum += n * delta ** d * tau ** t * e * (d - 2 * a * delta * (delta - 1))
  }
  return sum
}

/** Compressibility factor Z = P/(ρRT) at density ρ (mol/dm³) and temperature T (K). */
export function n2CompressibilityZ(rhoMolDm3: number, tK: number): number {
  return 1 + deltaDAlphaR(rhoMolDm3 / N2_RHOC_MOL_DM3, N2_TC_K / tK)
}

/** Absolute pressure, kPa, at density ρ (mol/dm³) and T (K): mol/dm³ × J/mol = kJ/m³ = kPa. */
export function n2PressureKpa(rhoMolDm3: number, tK: number): number {
  return rhoMolDm3 * N2_R * tK * n2CompressibilityZ(rhoMolDm3, tK)
}
