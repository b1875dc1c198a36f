import { describe, expect, it } from 'vitest'

import { currentTeam, escalate, reduceAlert, type Alert, type AlertCommand, type AlertContext, type AlertResult } from '../../gateway/alerts/alert-lifecycle.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'
import { faults } from '../rules/faults/faults-fixture.js'

const D = faults().deadlines
const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)

function ctx(over: Partial<AlertContext> = {}): AlertContext {
  let n = 0
  return { deadlines: D, newId: () => `a${++n}`, chainFor: () => ['north', 'supervisors', 'service-manager'], ...over }
}

function tr(kind: FaultTransition['kind'], at: number, over: Partial<FaultTransition> = {}): FaultTransition {
  return {
    kind, deviceId: 'unit-1', fault: 'leakage', severity: 'critical', at, value: 4, peak: 4, unit: 'mA', limit: 3.5,
    count: 1, since: at, clause: 'S14', source: 'IEC 60335-1', message: `leakage ${kind}`, ...over,
  }
}

function ok(r: AlertResult): Extract<AlertResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`)
  return r
}
function err(r: AlertResult): Extract<AlertResult, { ok: false }>['error'] {
  if (r.ok) throw new Error(`expected an error, got alert ${r.alert.id} ${r.alert.state}`)
  return r.error
}

const run = (c: AlertContext, cmds: AlertCommand[], start: Alert | null = null) => {
  let a = start
  for (const cmd of cmds) a = ok(reduceAlert(a, cmd, c)).alert
  return a!
}

describe('alert lifecycle: raise and re-trigger', () => {
  it('a raise opens an active alert with its deadlines: critical ack 20 min, resolve 24 h (T2)', () => {
    const r = ok(reduceAlert(null, { kind: 'fault', transition: tr('raise', T0) }, ctx()))
    expect(r.alert).toMatchObject({ id: 'a1', state: 'active', deviceId: 'unit-1', fault: 'leakage', triggers: 1, value: 4, worst: 4, raisedAt: T0, lastSeenAt: T0 })
    expect(r.alert.plan.deadlines.map((d) => [d.kind, d.at - T0])).toEqual([['acknowledge', 20 * MIN], ['resolve', 24 * H]])
    expect(r.audit).toEqual([{ alertId: 'a1', at: T0, actor: 'system', action: 'raise', from: null, to: 'active', note: 'leakage raise' }])
    expect(currentTeam(r.alert)).toBe('north')
  })

  it('re-triggers update count, last value, last seen and worst; the id stays; each is audited', () => {
    const c = ctx()
    const a1 = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    const r2 = ok(reduceAlert(a1, { kind: 'fault', transition: tr('update', T0 + MIN, { value: 6, peak: 6, count: 5 }) }, c))
    const r3 = ok(reduceAlert(r2.alert, { kind: 'fault', transition: tr('raise', T0 + 2 * MIN, { value: 5, peak: 5, count: 7 }) }, c))
    expect(r3.alert).toMatchObject({ id: 'a1', state: 'active', triggers: 3, value: 5, worst: 6, faultCount: 7, lastSeenAt: T0 + 2 * MIN })
    expect(r2.audit[0]).toMatchObject({ alertId: 'a1', action: 'retrigger', from: 'active', to: 'active', at: T0 + MIN })
  })

  it('a value below a floor limit (under-voltage) keeps the lowest as worst', () => {
    const c = ctx()
    const t = (kind: FaultTransition['kind'], at: number, v: number) => tr(kind, at, { fault: 'supply_voltage', severity: 'major', value: v, peak: null, limit: 198, unit: 'V' })
    const a = run(c, [{ kind: 'fault', transition: t('raise', T0, 190) }, { kind: 'fault', transition: t('update', T0 + MIN, 180) }, { kind: 'fault', transition: t('update', T0 + 2 * MIN, 195) }])
    expect(a.worst).toBe(180)
    expect(a.value).toBe(195)
  })

  it('a worse severity on re-trigger tightens the deadlines: minor 30 min ack (T5) -> major 20 min (T2)', () => {
    const c = ctx()
    const t = (kind: FaultTransition['kind'], at: number, severity: FaultTransition['severity']) => tr(kind, at, { fault: 'communication_error', severity, value: null, peak: null })
    const a1 = run(c, [{ kind: 'fault', transition: t('raise', T0, 'minor') }])
    expect(a1.plan.deadlines[0]!.at - T0).toBe(30 * MIN)
    const a2 = run(c, [{ kind: 'fault', transition: t('update', T0 + MIN, 'major') }], a1)
    expect(a2.worstSeverity).toBe('major')
    expect(a2.severity).toBe('minor')
    expect(a2.plan.deadlines[0]!.at - T0).toBe(20 * MIN)
    // and a milder re-trigger does not loosen them again
    const a3 = run(c, [{ kind: 'fault', transition: t('update', T0 + 2 * MIN, 'warning') }], a2)
    expect(a3.worstSeverity).toBe('major')
  })

  it('a transition of another unit or fault is refused, not merged', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    expect(err(reduceAlert(a, { kind: 'fault', transition: tr('update', T0 + 1, { deviceId: 'unit-2' }) }, c)).code).toBe('GW_ERR_ALERT_BAD_COMMAND')
  })
})

describe('alert lifecycle: people and clears', () => {
  it('acknowledge records who, when, why and meets the ack deadline; assign records the member', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    const r = ok(reduceAlert(a, { kind: 'acknowledge', by: 'li.wei', at: T0 + 5 * MIN, note: 'customer called' }, c))
    expect(r.alert.state).toBe('acknowledged')
    expect(r.alert.acknowledged).toEqual({ by: 'li.wei', at: T0 + 5 * MIN, note: 'customer called' })
    expect(r.alert.plan.deadlines[0]!.metAt).toBe(T0 + 5 * MIN)
    expect(r.audit).toEqual([{ alertId: 'a1', at: T0 + 5 * MIN, actor: 'li.wei', action: 'acknowledge', from: 'active', to: 'acknowledged', note: 'customer called' }])
    const s = ok(reduceAlert(r.alert, { kind: 'assign', by: 'li.wei', at: T0 + 6 * MIN, member: 'zhang.min', note: 'nearest' }, c))
    expect(s.alert.assignee).toEqual({ member: 'zhang.min', by: 'li.wei', at: T0 + 6 * MIN })
    expect(s.audit[0]).toMatchObject({ action: 'assign', from: 'acknowledged', to: 'acknowledged', note: 'to zhang.min: nearest' })
  })

  it('a manual clear needs who and why; auto clear is by the system', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    expect(err(reduceAlert(a, { kind: 'clear', by: 'li.wei', at: T0 + MIN, note: '  ' }, c))).toMatchObject({ code: 'GW_ERR_ALERT_BAD_COMMAND', message: expect.stringContaining('why') })
    expect(err(reduceAlert(a, { kind: 'clear', by: '', at: T0 + MIN, note: 'fixed' }, c)).message).toContain('who')
    const m = ok(reduceAlert(a, { kind: 'clear', by: 'li.wei', at: T0 + H, note: 'earth wire replaced' }, c))
    expect(m.alert.cleared).toEqual({ by: 'li.wei', at: T0 + H, note: 'earth wire replaced', auto: false })
    expect(m.audit[0]).toMatchObject({ action: 'clear', actor: 'li.wei', from: 'active', to: 'cleared' })
    expect(m.alert.plan.deadlines.every((d) => d.metAt === T0 + H)).toBe(true)
    const au = ok(reduceAlert(a, { kind: 'fault', transition: tr('clear', T0 + 2 * H) }, c))
    expect(au.alert.cleared).toEqual({ by: 'system', at: T0 + 2 * H, note: 'leakage clear', auto: true })
    expect(au.audit[0]).toMatchObject({ action: 'auto_clear', actor: 'system', from: 'active', to: 'cleared' })
  })

  it('invalid transitions are error results with a clear sentence', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    const cleared = run(c, [{ kind: 'clear', by: 'li.wei', at: T0 + H, note: 'done' }], a)
    expect(err(reduceAlert(cleared, { kind: 'acknowledge', by: 'x', at: T0 + 2 * H }, c))).toMatchObject({ code: 'GW_ERR_ALERT_CLEARED', message: expect.stringContaining('cleared at 2026-12-01T09:00:00.000Z by li.wei') })
    expect(err(reduceAlert(cleared, { kind: 'clear', by: 'x', at: T0 + 2 * H, note: 'again' }, c)).code).toBe('GW_ERR_ALERT_CLEARED')
    expect(err(reduceAlert(cleared, { kind: 'assign', by: 'x', at: T0 + 2 * H, member: 'y' }, c)).code).toBe('GW_ERR_ALERT_CLEARED')
    expect(err(reduceAlert(cleared, { kind: 'fault', transition: tr('clear', T0 + 2 * H) }, c)).code).toBe('GW_ERR_ALERT_CLEARED')
    expect(err(reduceAlert(null, { kind: 'fault', transition: tr('clear', T0) }, c)).code).toBe('GW_ERR_ALERT_NO_ALERT')
    expect(err(reduceAlert(null, { kind: 'acknowledge', by: 'x', at: T0 }, c)).code).toBe('GW_ERR_ALERT_NO_ALERT')
    const acked = run(c, [{ kind: 'acknowledge', by: 'li.wei', at: T0 + MIN }], a)
    expect(err(reduceAlert(acked, { kind: 'acknowledge', by: 'wang', at: T0 + 2 * MIN }, c))).toMatchObject({ code: 'GW_ERR_ALERT_ALREADY', message: expect.stringContaining('li.wei') })
    expect(err(reduceAlert(a, { kind: 'acknowledge', by: 'x', at: T0 - 1 }, c)).code).toBe('GW_ERR_ALERT_TIME')
    expect(err(reduceAlert(a, { kind: 'assign', by: 'x', at: T0, member: '' }, c)).message).toContain('to whom')
  })

  it('a raise after a clear is a new alert (new id); the old one stays cleared', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }, { kind: 'fault', transition: tr('clear', T0 + H) }])
    const r = ok(reduceAlert(a, { kind: 'fault', transition: tr('raise', T0 + 2 * H, { value: 5 }) }, c))
    expect(r.alert.id).toBe('a2')
    expect(r.alert).toMatchObject({ state: 'active', triggers: 1, value: 5, raisedAt: T0 + 2 * H, acknowledged: null, cleared: null })
    expect(a.state).toBe('cleared')
    // an update after a manual clear while the fault lasts also opens a new alert
    const m = run(c, [{ kind: 'clear', by: 'li.wei', at: T0 + 3 * H, note: 'checked' }], r.alert)
    expect(ok(reduceAlert(m, { kind: 'fault', transition: tr('update', T0 + 3 * H + MIN) }, c)).alert.id).toBe('a3')
  })
})

describe('alert lifecycle: escalation', () => {
  it('a missed ack escalates at 20 min to the next team, every 2 h after, at most 3 levels', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    expect(escalate(a, T0 + 20 * MIN - 1, D).events).toEqual([])
    const e1 = escalate(a, T0 + 20 * MIN, D)
    expect(e1.events).toEqual([{ alertId: 'a1', at: T0 + 20 * MIN, level: 1, missed: 'acknowledge', fromTeam: 'north', toTeam: 'supervisors' }])
    expect(e1.audit[0]).toMatchObject({ action: 'escalate', actor: 'system', note: 'acknowledge deadline missed: north -> supervisors' })
    expect(currentTeam(e1.alert)).toBe('supervisors')
    // calling again at the same time gives nothing new
    expect(escalate(e1.alert, T0 + 20 * MIN, D).events).toEqual([])
    // a long outage: everything due at once, capped at maxEscalations = 3; the last team is told again
    const e2 = escalate(e1.alert, T0 + 48 * H, D)
    expect(e2.events.map((e) => [e.level, (e.at - T0) / MIN, e.fromTeam, e.toTeam])).toEqual([
      [2, 140, 'supervisors', 'service-manager'],
      [3, 260, 'service-manager', 'service-manager'],
    ])
    expect(escalate(e2.alert, T0 + 96 * H, D).events).toEqual([])
  })

  it('an ack stops the ack escalations; the resolve deadline (24 h) still escalates', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }, { kind: 'acknowledge', by: 'li.wei', at: T0 + 10 * MIN }])
    expect(escalate(a, T0 + 23 * H, D).events).toEqual([])
    const e = escalate(a, T0 + 24 * H, D)
    expect(e.events).toEqual([{ alertId: 'a1', at: T0 + 24 * H, level: 1, missed: 'resolve', fromTeam: 'north', toTeam: 'supervisors' }])
  })

  it('an ack after one escalation keeps the level count; a cleared alert never escalates', () => {
    const c = ctx()
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    const e1 = escalate(a, T0 + 30 * MIN, D).alert
    const acked = run(c, [{ kind: 'acknowledge', by: 'li.wei', at: T0 + 40 * MIN }], e1)
    expect(escalate(acked, T0 + 23 * H, D).events).toEqual([])
    expect(escalate(acked, T0 + 24 * H, D).events[0]).toMatchObject({ level: 2, missed: 'resolve', fromTeam: 'supervisors', toTeam: 'service-manager' })
    const cleared = run(c, [{ kind: 'clear', by: 'li.wei', at: T0 + 15 * MIN, note: 'false alarm: clamp on the wrong wire' }], a)
    expect(escalate(cleared, T0 + 48 * H, D).events).toEqual([])
  })

  it('T3 installation leak and T6 distance add deadlines from the unit facts', () => {
    const c = ctx({ unitFacts: () => ({ installationLeak: true, distanceKm: 650 }) })
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    expect(a.plan.deadlines.map((d) => [d.kind, (d.at - T0) / H])).toEqual([['acknowledge', 1 / 3], ['resolve', 24], ['installer_on_site', 24], ['on_site', 48]])
  })

  it('a unit no team covers keeps an empty chain; escalation events say so', () => {
    const c = ctx({ chainFor: () => [] })
    const a = run(c, [{ kind: 'fault', transition: tr('raise', T0) }])
    expect(currentTeam(a)).toBe('')
    expect(escalate(a, T0 + 20 * MIN, D).events[0]).toMatchObject({ fromTeam: '', toTeam: '' })
  })
})
