/**
 * Saturation temperature from gauge pressure, so simulated pipe temperatures agree with
 * simulated pressures (superheat and subcooling come out as a real unit's would).
 */

// DOMAIN.md saturation table (CoolProp, checked against NIST REFPROP), MPa(g) at °C.
// R410A uses the dew column: its glide is ~0.1 K, below a pipe clamp's resolution.
const SATURATION: Record<string, ReadonlyArray<readonly [tempC: number, mpag: number]>> = {
  R32: [[0, 0.712], [5, 0.85], [10, 1.006], [40, 2.377], [45, 2.694], [50, 3.04]],
  R410A: [[0, 0.697], [5, 0.832], [10, 0.984], [40, 2.317], [45, 2.625], [50, 2.962]],
}

/**
 * Saturation temperature (°C) at `mpag`, interpolated linearly in the table. Only meant for
 * the low side (0-10 °C) and the high side (40-50 °C) of a unit in cooling; between 10 and
 * 40 °C a straight line is a poor fit, so nothing there is asked of it.
 */
export function saturationTempC(refrigerant: string, mpag: number): number {
  const table = SATURATION[refrigerant]
  if (!table) throw new Error(`no saturation data for refrigerant "${refrigerant}" (have ${Object.keys(SATURATION).join(', ')})`)
  for (let i = 1; i < table.length; i++) {
    const [t0, p0] = table[i - 1]!
    const [t1, p1] = table[i]!
    if (mpag <= p1 || i === table.length - 1) return t0 + ((mpag - p0) * (t1 - t0)) / (p1 - p0)
  }
  throw new Error('unreachable: the table has more than one row')
}

/** Gauge pressure (kPa) → psig, the unit most manifolds sold with R32 gauges display. */
export function kpaToPsi(kpa: number): number {
  return kpa / 6.894757
}

/**
 * The inverse of saturationTempC: the gauge pressure (MPa(g)) at which the refrigerant
 * boils at `tempC`, from the same table, so a simulated suction pressure and the
 * saturation temperature the scenario meant agree. Same ranges (0-10 °C, 40-50 °C).
 */
export function saturationPressureMpag(refrigerant: string, tempC: number): number {
  const table = SATURATION[refrigerant]
  if (!table) throw new Error(`no saturation data for refrigerant "${refrigerant}" (have ${Object.keys(SATURATION).join(', ')})`)
  for (let i = 1; i < table.length; i++) {
    const [t0, p0] = table[i - 1]!
    const [t1, p1] = table[i]!
    if (tempC <= t1 || i === table.length - 1) return p0 + ((tempC - t0) * (p1 - p0)) / (t1 - t0)
  }
  throw new Error('unreachable: the table has more than one row')
}
