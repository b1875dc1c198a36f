/**
 * Do the alerts the gateway raised for a unit match what its in-service scenario expects?
 * Pure, so the CLI and the end-to-end tests use one comparison: per fault, how many alerts,
 * their severity, the state the latest ends in, when the first was raised, and (exclusive)
 * no alert of any other fault.
 */
import type { ExpectedAlert, InServiceExpectation } from './in-service-scenario.js'

/** What the comparison reads of an alert (GET /api/v1/alerts?deviceId=...). */
export interface AlertOutline {
  id: string
  deviceId: string
  fault: string
  severity: string
  state: string
  raisedAt: number
}

const isOpen = (state: string) => state === 'active' || state === 'acknowledged'

/** Every way the alerts differ from the expectation, one line each; empty when they match. `startTs`: the scenario's start. */
export function alertMismatches(expected: InServiceExpectation, alerts: readonly AlertOutline[], startTs: number): string[] {
  const out: string[] = []
  const named = new Set(expected.alerts.map((a) => a.fault))
  for (const e of expected.alerts) {
    const mine = alerts.filter((a) => a.fault === e.fault).sort((a, b) => a.raisedAt - b.raisedAt)
    if (mine.length !== e.count) out.push(`${e.fault}: ${mine.length} alert(s), expected ${e.count}`)
    for (const a of mine) if (a.severity !== e.severity) out.push(`${e.fault}: alert ${a.id} is ${a.severity}, expected ${e.severity}`)
    const latest = mine.at(-1)
    if (latest) {
      const state = isOpen(latest.state) ? 'open' : latest.state
      if (state !== e.finalState) out.push(`${e.fault}: the latest alert is ${latest.state}, expected ${e.finalState}`)
    }
    const first = mine[0]
    if (first && e.raisedWithinMs) {
      const [from, to] = e.raisedWithinMs
      const rel = first.raisedAt - startTs
      if (rel < from || rel > to) out.push(`${e.fault}: raised ${fmt(rel)} after the start, expected between ${fmt(from)} and ${fmt(to)}`)
    }
  }
  if (expected.exclusive) {
    for (const a of alerts) if (!named.has(a.fault)) out.push(`unexpected ${a.severity} alert ${a.fault} (${a.id}, ${a.state})`)
  }
  return out
}

function fmt(ms: number): string {
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} min ${s % 60} s`
}

/** One alert expectation in words: "leakage critical ×1, open". */
export function describeAlert(e: ExpectedAlert): string {
  return `${e.fault} ${e.severity} ×${e.count}, ${e.finalState}`
}

/** The whole expectation in one line, for --list: "alerts: leakage critical ×1, open (no other)". */
export function describeAlertExpectation(e: InServiceExpectation): string {
  return `alerts: ${e.alerts.map(describeAlert).join('; ')}${e.exclusive ? ' (no other)' : ''}`
}
