/**
 * The named scenarios `npm run sim -- --scenario <name>` plays. Each states the verdict
 * the gateway should reach, so a run doubles as an end-to-end check of the rules.
 */
import type { Scenario } from '../scenario.js'
import { coolingScenario } from './cooling-run.js'
import { malformedMessages } from './malformed-messages.js'

const good = coolingScenario({
  name: 'good',
  description:
    'A healthy 31-minute test run: 5.2 A of 7.5 A rated, supply air ~13 °C, return ~26 °C, ' +
    'low side ~0.9 MPa(g) and high side ~2.55 MPa(g) (R32, sent in psig).',
  runMinutes: 31,
  stopAtMinutes: 31,
  expected: 'pass',
})

const shortRun = coolingScenario({
  name: 'short-run',
  description: 'The technician stops the test run after 25 minutes; S1 asks for at least 30.',
  runMinutes: 25,
  stopAtMinutes: 25,
  expected: 'fail',
})

const gap = coolingScenario({
  name: 'gap',
  description:
    'A 34-minute run in which the clamp meter is silent from minute 14 to 18: the longest ' +
    'continuous evidence of running is ~16 minutes.',
  runMinutes: 34,
  stopAtMinutes: 34,
  expected: 'fail',
  faults: { silences: [{ role: 'clamp', fromMinute: 14, toMinute: 18 }] },
})

const overcurrent = coolingScenario({
  name: 'overcurrent',
  description: 'From minute 5 the current climbs over 2 minutes to ~1.3x the rated 7.5 A and stays there.',
  runMinutes: 31,
  stopAtMinutes: 31,
  expected: 'fail',
  faults: {
    currentA: (minute, healthy, unit) =>
      minute < 5 ? healthy : healthy + (1.3 * unit.ratedCurrentA - healthy) * Math.min(1, (minute - 5) / 2),
  },
})

const garbage = coolingScenario({
  name: 'garbage',
  description:
    'The good run with one malformed message of each kind mixed in (not JSON, wrong shape, ' +
    'unknown channel, "NaN", current 1e9 A, a timestamp a day ahead, an unknown unit); the ' +
    'good readings still pass.',
  runMinutes: 31,
  stopAtMinutes: 31,
  expected: 'pass',
  extra: (ctx) => malformedMessages(ctx.runStartTs, 2, 4),
})

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [good, shortRun, gap, overcurrent, garbage].map((s) => [s.name, s]),
)

export function scenarioNames(): string[] {
  return [...SCENARIOS.keys()]
}

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}"; known scenarios: ${scenarioNames().join(', ')}`)
    this.name = 'UnknownScenarioError'
  }
}

export function getScenario(name: string): Scenario {
  const s = SCENARIOS.get(name)
  if (!s) throw new UnknownScenarioError(name)
  return s
}
