/**
 * What a unit in service tells its alerts' deadlines (DOMAIN.md T3, T6): whether a leak is
 * presumed the installation's, and the distance from the service centre that covers it. A unit
 * without a known distance gets no on-site deadline by default: its alerts say why
 * (`notJudged`), so a team sees the gap instead of a made-up band.
 */
import type { UnitFacts } from './alert-lifecycle.js'
import type { InServiceUnit } from './in-service-repository.js'

/**
 * Faults that are leaks for T4 (DOMAIN.md: "leak call-backs"): refrigerant loss, and the
 * low-pressure / refrigerant-shortage protection codes of the packs' tables. An engineering
 * reading of T4: the gateway raises the call-back; a person judges the cause (T3).
 */
export const LEAK_FAULTS: ReadonlySet<string> = new Set(['refrigerant_loss', 'low_pressure_protection', 'refrigerant_shortage', 'water_overflow_protection'])

export function unitFactsOf(u: InServiceUnit, fault: string): UnitFacts {
  // T3: a leak within the T4 window after installation is presumed the installation's (a person may judge otherwise).
  const installationLeak = LEAK_FAULTS.has(fault) && u.jobId !== null
  if (u.distanceKm !== undefined) return { installationLeak, distanceKm: u.distanceKm, ...(u.distanceSource !== undefined ? { distanceSource: u.distanceSource } : {}) }
  return { installationLeak, distanceUnknown: distanceUnknown(u.deviceId) }
}

export const distanceUnknown = (deviceId: string): string =>
  `T6 on-site deadline not judged: the distance of unit ${deviceId} from its service centre is not known; set it (PATCH /api/v1/units/${deviceId} {"distanceKm", "distanceSource"}) and this alert gets its deadline, counted from its raise`
