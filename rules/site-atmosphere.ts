/**
 * The site's atmospheric pressure: the zero of every gauge reading. A manifold reads gauge
 * pressure, the saturation tables are absolute; at 2000 m the atmosphere is ~80 kPa, not
 * 101.325, and a low-side saturation temperature read with sea level is ~1 K off (R32 at
 * 0.9 MPa(g): about 0.9 K). A measured atmospheric pressure wins; else the elevation gives
 * it by the barometric formula of the ICAO Standard Atmosphere; else sea level. Pure.
 */
import { ATMOSPHERE_KPA } from './refrigerants/index.js'

/**
 * ISA troposphere (ICAO Doc 7488/3, ISO 2533:1975, valid to 11 km):
 * p = p0 · (1 − L·h/T0)^(g·M/(R·L)), p0 = 101.325 kPa, T0 = 288.15 K, L = 0.0065 K/m,
 * g·M/(R·L) = 5.25588.
 */
export function isaPressureKpa(elevationM: number): number {
  return ATMOSPHERE_KPA * (1 - (0.0065 * elevationM) / 288.15) ** 5.25588
}

export interface SiteAtmosphere {
  kpa: number
  /** For messages: "measured 84.6 kPa", "ISA at 1500 m: 84.6 kPa", "sea level 101.325 kPa (no site elevation given)". */
  basis: string
}

export function siteAtmosphere(site: { siteAtmosphericKpa?: number | undefined; siteElevationM?: number | undefined }): SiteAtmosphere {
  if (site.siteAtmosphericKpa !== undefined) return { kpa: site.siteAtmosphericKpa, basis: `measured atmosphere ${site.siteAtmosphericKpa} kPa` }
  if (site.siteElevationM !== undefined) {
    const kpa = isaPressureKpa(site.siteElevationM)
    return { kpa, basis: `atmosphere ${kpa.toFixed(1)} kPa (ISA barometric formula at ${site.siteElevationM} m)` }
  }
  return { kpa: ATMOSPHERE_KPA, basis: `sea-level atmosphere ${ATMOSPHERE_KPA} kPa (no site elevation or pressure on the job)` }
}
