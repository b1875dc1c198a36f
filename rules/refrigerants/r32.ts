/**
 * R32 (difluoromethane), a pure fluid: dew point = bubble point.
 *
 * Source: Tillner-Roth & Yokozeki, "An international standard equation of state for
 * difluoromethane (R-32)", J. Phys. Chem. Ref. Data 26 (1997) 1273 — the EOS of NIST
 * REFPROP and CoolProp. Rows computed from its coefficients as CoolProp ships them
 * (dev/fluids/R32.json) by solving phase equilibrium (equal pressure and Gibbs energy).
 * They reproduce DOMAIN.md's R32 row (CoolProp, checked against REFPROP) within 0.6 kPa
 * (0.002 K; the row is rounded to 1 kPa):
 * 0 °C 813.10 kPa abs = 0.712 MPa(g); 40 °C 2478.31 kPa abs = 2.377 MPa(g).
 */
import type { SaturationTable } from './saturation-table.js'

export const R32_SOURCE = 'Tillner-Roth & Yokozeki 1997 equation of state (NIST REFPROP / CoolProp)'

/** −40 °C to +65 °C every 5 K, kPa absolute. */
export const R32_SATURATION: SaturationTable = {
  firstC: -40,
  stepC: 5,
  kPaAbs: [
    177.41, 221.38, 273.44, 334.56, 405.75, 488.07, 582.63, 690.58, // −40 … −5 °C
    813.10, 951.45, 1106.91, 1280.81, 1474.57, 1689.62, 1927.51, 2189.83, // 0 … 35 °C
    2478.31, 2794.78, 3141.23, 3519.88, 3933.23, 4384.27, // 40 … 65 °C
  ],
}
