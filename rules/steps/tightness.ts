/**
 * The tightness test: a nitrogen pressure hold (S13: seed §5 ch.5 art.13, pressure leak
 * test only with nitrogen, never a flammable gas). Pure: the gateway hands in the pack
 * parameters, the start marker's facts, the window, the evaluation time and the readings.
 *
 * How the readings become a hold:
 * - Pressure: of pressure_high_kpag / pressure_low_kpag, the one instrument series that
 *   reached the highest pressure (the hose on the pressurised system). One series only:
 *   two sensors' offset must never look like a drop.
 * - Fills and vents cut the series into holds (pressure-holds.ts): a top-up restarts the
 *   hold, venting before the stop marker ends it instead of counting as a leak.
 * - The last hold is the one judged. An earlier complete hold that leaked still fails:
 *   topping up after a failed hold does not undo it.
 * - Compensation uses the pipe temperature (temp_pipe_c) at the hold's first and last
 *   pressure readings: a least-squares line through the readings within ±60 s, so noise
 *   is smoothed and the one-sided ±60 s at the window's end does not lag a changing
 *   temperature (a plain mean would: 0.35 K late at 0.7 K/min, 5 kPa at 4 MPa).
 * - The gas is real nitrogen at constant volume (rules/gas/nitrogen.ts, Span et al. 2000
 *   reference equation of state): at 4 MPa it loses ~10 % more pressure per kelvin than an
 *   ideal gas, so an ideal-gas compensation calls a tight system that cools 8-10 K a leak.
 * - The allowed drop is the expanded uncertainty of the compensated drop from the meters'
 *   stated accuracy and resolution (tightness-uncertainty.ts, GUM): what the meters
 *   declare in their attributes, else the pack's sourced defaults. The check lists it.
 * - Test pressure: the pack's, capped by the unit's nameplate design pressure when the job
 *   gives one (the test must not exceed what the unit is built for: R290 units are far
 *   below R410A/R32).
 */
import type { ChannelName } from '../../contract/channels.js'
import type { StepResult } from '../result.js'
import { filledTo, findHolds } from './pressure-holds.js'
import { channelReadings, fitAt, maxReading, seriesByDevice, sortedWithin, windowEnd, type Series } from './series.js'
import { judgeTightness, PRESSURE_RADIUS_MS, tightnessLimits, type JudgedSeries } from './tightness-checks.js'
import type { TightnessInput } from './tightness-params.js'
import { stagesCheck } from './tightness-stages.js'

export { compensatedPressureKpaG, judgeTightness, tightnessLimits, type JudgedSeries } from './tightness-checks.js'

export { TightnessParamsSchema, type TightnessCommon, type TightnessInput, type TightnessParams } from './tightness-params.js'

// Pipe temperature at an instant: readings within ±60 s (a clamp thermometer reports every few seconds).
export const TEMP_RADIUS_MS = 60_000
export const PRESSURE: readonly ChannelName[] = ['pressure_high_kpag', 'pressure_low_kpag']

/** The hose on the pressurised system: the series with the highest reading (high side first on a tie). */
function pickSeries(input: TightnessInput, end: number): Series | undefined {
  let best: { s: Series; top: number } | undefined
  for (const ch of PRESSURE) {
    for (const s of seriesByDevice(channelReadings(input.readings, ch, input.window.start, end), ch)) {
      const top = maxReading(s.readings)?.value ?? -Infinity
      if (!best || top > best.top) best = { s, top }
    }
  }
  return best?.s
}

export function evaluateTightness(input: TightnessInput): StepResult {
  const end = windowEnd(input.window, input.now)
  const { test } = tightnessLimits(input)
  const series = pickSeries(input, end)
  const temps = channelReadings(input.readings, 'temp_pipe_c', input.window.start, end)
  const seen = new Set<string>()
  for (const r of temps) seen.add(r.deviceId)
  return judgeTightness(input, series && judgedFromArray(series, test), [...seen].sort(), (t) => fitAt(temps, t, TEMP_RADIUS_MS))
}

/** The judged series of a whole array (the reference the summaries must agree with). */
function judgedFromArray(series: Series, test: number): JudgedSeries {
  const rs = series.readings
  const holds = findHolds(rs, test)
  const firstHold = holds[0]
  const holdStart = firstHold ? rs.indexOf(firstHold.start) : rs.length
  return {
    deviceId: series.deviceId,
    channel: series.channel,
    first: rs[0]!,
    last: rs.at(-1)!,
    holds,
    top: filledTo(rs, holds),
    stages: (stages, tol, running, ev, at) => stagesCheck(stages, tol, rs, holdStart, running, ev, at),
    fitIn: (h, t) => fitAt(sortedWithin(rs, h.start.ts, h.end.ts), t, PRESSURE_RADIUS_MS),
  }
}
