/**
 * R22 (chlorodifluoromethane), a pure fluid: dew point = bubble point. Still found in
 * older installations being serviced.
 *
 * Source: Kamei, Beyerlein & Jacobsen, "Application of nonlinear regression in the
 * development of a wide range formulation for HCFC-22", Int. J. Thermophys. 16 (1995)
 * 1155 — the EOS of NIST REFPROP and CoolProp. Rows computed from its coefficients as
 * CoolProp ships them (dev/fluids/R22.json) by solving phase equilibrium (equal pressure
 * and Gibbs energy): 0 °C 497.99 kPa abs = 0.397 MPa(g), 40 °C 1533.58 kPa abs =
 * 1.432 MPa(g). Older printed tables give 497.6 kPa at 0 °C: 0.02 K apart.
 */
import type { SaturationTable } from './saturation-table.js'

export const R22_SOURCE = 'Kamei et al. 1995 equation of state (NIST REFPROP / CoolProp)'

/** −40 °C to +65 °C every 5 K, kPa absolute. */
export const R22_SATURATION: SaturationTable = {
  firstC: -40,
  stepC: 5,
  kPaAbs: [
    105.23, 132.03, 163.89, 201.43, 245.31, 296.20, 354.79, 421.80, // −40 … −5 °C
    497.99, 584.11, 680.95, 789.31, 910.02, 1043.92, 1191.88, 1354.79, // 0 … 35 °C
    1533.58, 1729.21, 1942.69, 2175.07, 2427.49, 2701.15, // 40 … 65 °C
  ],
}
