/**
 * R410A (R32/R125 50/50 by mass), a near-azeotropic blend: at one pressure the dew point
 * lies ~0.1 K above the bubble point (the glide). Superheat is taken from the DEW point,
 * subcooling from the BUBBLE point (DOMAIN.md, "Commissioning measurements").
 *
 * Source: Lemmon, "Pseudo-pure fluid equations of state for the refrigerant blends
 * R-410A, R-404A, R-507A, and R-407C", Int. J. Thermophys. 24 (2003) 991. For this
 * pseudo-pure fluid CoolProp takes bubble and dew pressures from its fitted ancillary
 * equations (dev/fluids/R410A.json "pL" bubble, "pV" dew; stated max error 0.001 % and
 * 0.006 %); the rows are those equations evaluated every 5 K. They reproduce DOMAIN.md's
 * R410A rows (CoolProp, checked against REFPROP) within 0.6 kPa (0.002 K; the rows
 * are rounded to 1 kPa).
 */
import type { SaturationTable } from './saturation-table.js'

export const R410A_SOURCE = 'Lemmon 2003 pseudo-pure R410A bubble/dew equations (NIST REFPROP / CoolProp)'

/** Bubble point (saturated liquid), −40 °C to +65 °C every 5 K, kPa absolute. */
export const R410A_BUBBLE: SaturationTable = {
  firstC: -40,
  stepC: 5,
  kPaAbs: [
    175.50, 218.93, 270.31, 330.57, 400.69, 481.68, 574.61, 680.57, // −40 … −5 °C
    800.71, 936.21, 1088.30, 1258.27, 1447.45, 1657.24, 1889.14, 2144.71, // 0 … 35 °C
    2425.65, 2733.77, 3071.09, 3439.85, 3842.64, 4282.58, // 40 … 65 °C
  ],
}

/** Dew point (saturated vapour), −40 °C to +65 °C every 5 K, kPa absolute. */
export const R410A_DEW: SaturationTable = {
  firstC: -40,
  stepC: 5,
  kPaAbs: [
    174.85, 218.14, 269.35, 329.42, 399.31, 480.05, 572.69, 678.32, // −40 … −5 °C
    798.08, 933.16, 1084.80, 1254.26, 1442.89, 1652.11, 1883.41, 2138.36, // 0 … 35 °C
    2418.67, 2726.22, 3063.07, 3431.60, 3834.68, 4276.07, // 40 … 65 °C
  ],
}
