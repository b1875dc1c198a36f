/**
 * R290 (propane), a pure fluid: dew point = bubble point. Flammable (ASHRAE 34 class A3).
 *
 * Source: Lemmon, McLinden & Wagner, "Thermodynamic properties of propane. III. A
 * reference equation of state for temperatures from the melting line to 650 K and
 * pressures up to 1000 MPa", J. Chem. Eng. Data 54 (2009) 3141 — the EOS of NIST REFPROP
 * and CoolProp. Rows computed from its coefficients as CoolProp ships them
 * (dev/fluids/n-Propane.json) by solving phase equilibrium (equal pressure and Gibbs
 * energy): 0 °C 474.46 kPa abs, 40 °C 1369.42 kPa abs.
 */
import type { SaturationTable } from './saturation-table.js'

export const R290_SOURCE = 'Lemmon, McLinden & Wagner 2009 propane equation of state (NIST REFPROP / CoolProp)'

/** −40 °C to +65 °C every 5 K, kPa absolute. */
export const R290_SATURATION: SaturationTable = {
  firstC: -40,
  stepC: 5,
  kPaAbs: [
    111.12, 137.23, 167.83, 203.43, 244.52, 291.62, 345.28, 406.04, // −40 … −5 °C
    474.46, 551.12, 636.60, 731.51, 836.46, 952.07, 1079.00, 1217.88, // 0 … 35 °C
    1369.42, 1534.31, 1713.30, 1907.17, 2116.75, 2342.95, // 40 … 65 °C
  ],
}
