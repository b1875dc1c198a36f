/**
 * What the CLI prints for in-service scenarios: the list, the unit's alerts, and whether
 * they are the ones the scenario expects. Pure text, tested without a process.
 */
import { alertMismatches, describeAlertExpectation, type AlertOutline } from './alert-expectation.js'
import type { InServiceScenario } from './in-service-scenario.js'

export function formatInServiceList(scenarios: Iterable<InServiceScenario>): string {
  const list = [...scenarios]
  const width = list.reduce((w, s) => Math.max(w, s.name.length), 0)
  return list.map((s) => `${s.name.padEnd(width)}  ${s.description}\n${' '.repeat(width)}  expects ${describeAlertExpectation(s.expected)}`).join('\n')
}

export function formatAlertOutcome(scenario: InServiceScenario, alerts: readonly AlertOutline[], startTs: number): { ok: boolean; text: string } {
  const lines = [`alerts of ${alerts[0]?.deviceId ?? 'the unit'}: ${alerts.length}`]
  for (const a of alerts) lines.push(`  [${a.state}] ${a.fault} ${a.severity} raised ${Math.round((a.raisedAt - startTs) / 1000)} s after the start (${a.id})`)
  const mismatches = alertMismatches(scenario.expected, alerts, startTs)
  const expected = describeAlertExpectation(scenario.expected)
  if (mismatches.length === 0) return { ok: true, text: [...lines, `as expected: ${expected}`].join('\n') }
  return { ok: false, text: [...lines, `NOT as expected: scenario "${scenario.name}" expects ${expected}`, ...mismatches.map((m) => `  ${m}`)].join('\n') }
}
