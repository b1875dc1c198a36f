/**
 * The power test before installation (S2: seed §5 ch.7 art.4, "before installation the
 * indoor unit must be powered and test-run, to see that every part runs well"): a dead
 * or faulty unit is caught before it is on the wall. Pure: the gateway hands in the
 * parameters, the window, the evaluation time and the readings.
 *
 * Evidence: a clamp ammeter on the indoor unit's supply. The unit counts as running while
 * current_a >= runningCurrentMinA; a run is a chain of running readings no more than
 * maxGapS apart (run-detector.ts, shared with the test run), and it must last minRunS.
 */
import { z } from 'zod'

import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { InstalledUnit } from '../../contract/job.js'
import { stepStatusFromChecks, type CheckResult, type StepResult } from '../result.js'
import { finite, sourced } from '../sourced.js'
import { formatDuration } from '../format-duration.js'
import { detectRuns, longestRun } from './run-detector.js'
import { channelReadings, evidence as range, type StepInput } from './series.js'

export const PowerTestParamsSchema = z
  .object({
    /** The indoor unit counts as running at a reading with current >= this, amperes. */
    runningCurrentMinA: sourced(finite().positive()),
    /** Shortest continuous run that shows the unit works, seconds. */
    minRunS: sourced(finite().positive()),
    /** A gap between readings longer than this breaks a run, seconds. */
    maxGapS: sourced(finite().positive()),
  })
  .strict()
export type PowerTestParams = z.infer<typeof PowerTestParamsSchema>

/** The power test uses no facts. */
export type PowerTestInput = StepInput<PowerTestParams> & { unit: InstalledUnit }

const CHANNEL: ChannelName = 'current_a'
const CLAUSE = 'S2'

const amps = (v: number) => `${Math.round(v * 1000) / 1000} A`

function poweredCheck(input: PowerTestInput, readings: readonly Reading[], running: boolean, end: number): CheckResult {
  const p = input.params
  const limit = p.minRunS.value
  const threshold = amps(p.runningCurrentMinA.value)
  const longest = longestRun(detectRuns(readings, p).runs)
  const measured = longest ? (longest.to - longest.from) / 1000 : 0
  const base = { id: 'powered', measured, limit, unit: 's', clause: CLAUSE }
  const evidence = [longest ? range(CHANNEL, longest.from, longest.to) : range(CHANNEL, input.window.start, end)]
  const required = `required ${formatDuration(limit)} at >= ${threshold}`
  if (longest && measured >= limit) {
    return { ...base, status: 'pass', message: `indoor unit ran ${formatDuration(measured)} continuously before installation (${required})`, evidence }
  }
  const peak = readings.reduce((m, r) => Math.max(m, r.value), -Infinity)
  if (running) {
    const sofar = readings.length === 0 ? 'no current readings yet' : `longest run so far ${formatDuration(measured)}`
    return { ...base, status: 'pending', message: `power test: ${sofar} (${required})`, evidence }
  }
  let message: string
  if (readings.length === 0) message = `no current readings between the start and stop markers: the indoor unit was not shown to run before installation (${required})`
  else if (!longest) message = `the indoor unit never ran: highest current ${amps(peak)} stayed below ${threshold} (dead or faulty unit?)`
  else message = `the indoor unit ran only ${formatDuration(measured)} continuously (${required})`
  // Not a safety failure, but installing an unchecked unit costs a return trip (art.4 charges the installer).
  return { ...base, status: 'fail', severity: 'major', message, evidence }
}

export function evaluatePowerTest(input: PowerTestInput): StepResult {
  const running = input.window.stop === undefined
  const end = input.window.stop ?? input.now
  const readings = channelReadings(input.readings, CHANNEL, input.window.start, end)
  const checks = [poweredCheck(input, readings, running, end)]
  return { id: 'power_test', status: stepStatusFromChecks(checks, running), checks }
}
