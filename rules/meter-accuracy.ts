/**
 * What a meter declares about its own accuracy, as flat numbers among its device
 * attributes (v1/devices/me/attributes, merged by gateway/devices/device-registry.ts),
 * like its calibration due date (rules/calibration.ts). Units are the channels' canonical
 * ones: kPa for pressure, K for temperature. Example for a testo 557s-type manifold:
 * {"pressureAccuracyPctFs": 0.5, "pressureFullScaleKpa": 6000, "pressureResolutionKpa": 1,
 *  "temperatureAccuracyK": 0.5, "temperatureResolutionK": 0.1}
 */

/**
 * A pressure accuracy given in any of its three forms replaces the pack's whole pressure
 * accuracy (a meter specified as % of reading has no % FS term); each other field
 * replaces its default on its own.
 */
export interface MeterAccuracy {
  pressureAccuracyPctFs?: number
  pressureAccuracyPctReading?: number
  pressureAccuracyKpa?: number
  pressureFullScaleKpa?: number
  pressureResolutionKpa?: number
  temperatureAccuracyK?: number
  temperatureResolutionK?: number
}

export const METER_ACCURACY_KEYS = [
  'pressureAccuracyPctFs',
  'pressureAccuracyPctReading',
  'pressureAccuracyKpa',
  'pressureFullScaleKpa',
  'pressureResolutionKpa',
  'temperatureAccuracyK',
  'temperatureResolutionK',
] as const satisfies readonly (keyof MeterAccuracy)[]

/** The accuracy fields among a device's attributes: finite non-negative numbers only (anything else is ignored, never guessed). */
export function meterAccuracyFromAttributes(attributes: Readonly<Record<string, unknown>> | undefined): MeterAccuracy {
  const out: MeterAccuracy = {}
  if (!attributes) return out
  for (const key of METER_ACCURACY_KEYS) {
    const v = attributes[key]
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v
  }
  return out
}

