import { describe, expect, it } from 'vitest'

import { escalate, reduceAlert, type Alert, type AlertContext } from '../../gateway/alerts/alert-lifecycle.js'
import { parseAlert } from '../../gateway/alerts/alert-record.js'
import { alertEventOf } from '../../gateway/alerts/deliveries/delivery-messages.js'
import type { Deadlines } from '../../rules/faults/fault-pack-schema.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'
import { faults } from '../rules/faults/faults-fixture.js'

const D = faults().deadlines
const MIN = 60_000
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)
const ctx: AlertContext = { deadlines: D, newId: () => 'a1', chainFor: () => ['north', 'supervisors'], unitFacts: () => ({ distanceKm: 120 }) }
const tr: FaultTransition = {
  kind: 'raise', deviceId: 'unit-1', fault: 'high_pressure_protection', severity: 'major', at: T0, value: null, peak: null, unit: null, limit: null,
  count: 1, since: T0, clause: 'errorCodes.E1', source: 'GREE U-Match 5 service manual 3.4.1', message: 'E1 high pressure protection', code: 'E1', textKey: 'fault.gree.e1',
}

function sample(): Alert {
  const r = reduceAlert(null, { kind: 'fault', transition: tr }, ctx)
  if (!r.ok) throw new Error(r.error.message)
  const acked = reduceAlert(escalate(r.alert, T0 + 25 * MIN, D).alert, { kind: 'acknowledge', by: 'li.wei', at: T0 + 30 * MIN, note: 'on my way' }, ctx)
  if (!acked.ok) throw new Error(acked.error.message)
  return acked.alert
}

describe('alert record', () => {
  it('round-trips through JSON (a restart) to the same alert, plan included', () => {
    const a = sample()
    expect(a.escalations).toHaveLength(1)
    expect(parseAlert(JSON.parse(JSON.stringify(a)), D)).toEqual(a)
  })

  it('recomputes the plan from the pack: a stored plan is not trusted, new deadlines apply', () => {
    const a = sample()
    const stored = JSON.parse(JSON.stringify({ ...a, plan: { deadlines: [], escalations: [] } }))
    expect(parseAlert(stored, D).plan).toEqual(a.plan)
    const tighter: Deadlines = { ...D, bySeverity: { ...D.bySeverity, major: { ...D.bySeverity.major, resolveS: { value: 3600, source: 'test' } } } }
    expect(parseAlert(stored, tighter).plan.deadlines.find((d) => d.kind === 'resolve')!.at).toBe(T0 + 60 * MIN)
  })

  it('refuses a corrupt record with the alert id, the field and the reason', () => {
    const a = JSON.parse(JSON.stringify(sample()))
    expect(() => parseAlert({ ...a, state: 'cleared' }, D)).toThrow('alert a1: cleared: state and cleared disagree')
    expect(() => parseAlert({ ...a, teamIndex: 5 }, D)).toThrow('alert a1: teamIndex: teamIndex is past the end of chain')
    expect(() => parseAlert({ ...a, triggers: 0 }, D)).toThrow(/alert a1: triggers: /)
    expect(() => parseAlert({ ...a, extra: 1 }, D)).toThrow(/alert a1: \(root\): Unrecognized key/)
    expect(() => parseAlert(null, D)).toThrow(/alert \(no id\): \(root\)/)
  })

  it('a change is named for the deliveries by its audit entry (alertEventOf)', () => {
    const a = sample()
    expect(alertEventOf(a, { alertId: 'a1', at: T0 + 30 * MIN, actor: 'li.wei', action: 'acknowledge', from: 'active', to: 'acknowledged', note: 'on my way' })).toEqual({
      kind: 'acknowledged', alertId: 'a1', deviceId: 'unit-1', fault: 'high_pressure_protection', severity: 'major', at: T0 + 30 * MIN, message: 'on my way',
    })
    expect(alertEventOf(a, { alertId: 'a1', at: T0, actor: 'system', action: 'auto_clear', from: 'active', to: 'cleared', note: 'x' }).kind).toBe('cleared')
  })
})
