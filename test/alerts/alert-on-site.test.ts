/**
 * The T6 / T3 visit and the unit's distance on the pure alert reducer (gateway/alerts/alert-lifecycle.ts):
 * on_site meets the on-site deadline, a distance set later gives an open alert its deadline
 * counted from its raise, a unit without one says the deadline is not judged. Expected times
 * from DOMAIN.md by hand: T6 <= 300 km 24 h, <= 1000 km 48 h, beyond 72 h; T3 installer 24 h.
 */
import { describe, expect, it } from 'vitest'

import { escalate, reduceAlert, type Alert, type AlertCommand, type AlertContext, type AlertResult } from '../../gateway/alerts/alert-lifecycle.js'
import { parseAlert } from '../../gateway/alerts/alert-record.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'
import { faults } from '../rules/faults/faults-fixture.js'

const D = faults().deadlines
const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)

const ctx = (unitFacts?: AlertContext['unitFacts']): AlertContext => ({ deadlines: D, newId: () => 'a1', chainFor: () => ['north', 'supervisors', 'service-manager'], ...(unitFacts ? { unitFacts } : {}) })
const raise = (fault = 'leakage'): FaultTransition => ({ kind: 'raise', deviceId: 'unit-1', fault, severity: 'critical', at: T0, value: 5, peak: 5, unit: 'mA', limit: 3.5, count: 1, since: T0, clause: 'S14', source: 'IEC 60335-1', message: 'leakage' })
const ok = (r: AlertResult): Alert => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.alert
}
const run = (c: AlertContext, cmds: AlertCommand[], start: Alert | null = null): Alert => cmds.reduce<Alert | null>((a, cmd) => ok(reduceAlert(a, cmd, c)), start)!
const onSiteAt = (a: Alert, kind = 'on_site') => a.plan.deadlines.find((d) => d.kind === kind)

describe('T6 on site by distance', () => {
  it('a unit 500 km away: on site within 48 h; maintenance on site at 30 h meets it', () => {
    const c = ctx(() => ({ distanceKm: 500, distanceSource: 'route planner' }))
    const a = run(c, [{ kind: 'fault', transition: raise() }])
    expect(onSiteAt(a)).toMatchObject({ at: T0 + 48 * H, metAt: null })
    expect(a).toMatchObject({ distanceKm: 500, distanceSource: 'route planner' })
    expect(a.notJudged).toBeUndefined()
    const r = reduceAlert(a, { kind: 'on_site', by: 'wang', who: 'maintenance', at: T0 + 30 * H, note: 'earth wire fixed' }, c)
    const v = ok(r)
    expect(v.onSite).toEqual({ by: 'wang', at: T0 + 30 * H, note: 'earth wire fixed' })
    expect(onSiteAt(v)!.metAt).toBe(T0 + 30 * H)
    expect(r.ok && r.audit).toEqual([{ alertId: 'a1', at: T0 + 30 * H, actor: 'wang', action: 'on_site', from: 'active', to: 'active', note: expect.stringContaining('on_site deadline met') }])
    // The record round-trips with the visit (a restart keeps it met).
    expect(onSiteAt(parseAlert(JSON.parse(JSON.stringify(v)), D))!.metAt).toBe(T0 + 30 * H)
  })

  it('the installer on site meets T3 (24 h), not T6; each visit is recorded once', () => {
    const c = ctx(() => ({ installationLeak: true, distanceKm: 120, distanceSource: 'survey' }))
    const a = run(c, [{ kind: 'fault', transition: raise('refrigerant_loss') }, { kind: 'on_site', by: 'inst-7', who: 'installer', at: T0 + 20 * H }])
    expect(onSiteAt(a, 'installer_on_site')!.metAt).toBe(T0 + 20 * H)
    expect(onSiteAt(a, 'on_site')).toMatchObject({ at: T0 + 24 * H, metAt: null })
    const again = reduceAlert(a, { kind: 'on_site', by: 'inst-7', who: 'installer', at: T0 + 21 * H }, c)
    expect(again.ok ? null : again.error).toMatchObject({ code: 'GW_ERR_ALERT_ALREADY', message: expect.stringContaining('inst-7') })
    const early = reduceAlert(a, { kind: 'on_site', by: 'wang', who: 'maintenance', at: T0 - 1 }, c)
    expect(early.ok ? null : early.error.code).toBe('GW_ERR_ALERT_TIME')
    const nobody = reduceAlert(a, { kind: 'on_site', by: ' ', who: 'maintenance', at: T0 + H }, c)
    expect(nobody.ok ? null : nobody.error.code).toBe('GW_ERR_ALERT_BAD_COMMAND')
  })

  it('no distance: the alert says T6 is not judged; set later, the open alert gets 72 h from its raise', () => {
    const c = ctx(() => ({ distanceUnknown: 'T6 on-site deadline not judged: distance unknown' }))
    const a = run(c, [{ kind: 'fault', transition: raise() }])
    expect(onSiteAt(a)).toBeUndefined()
    expect(a.notJudged).toEqual([{ kind: 'on_site', reason: 'T6 on-site deadline not judged: distance unknown' }])
    const r = reduceAlert(a, { kind: 'facts', at: T0 + 5 * H, facts: { distanceKm: 1200, distanceSource: 'route planner' } }, c)
    const b = ok(r)
    expect(onSiteAt(b)).toMatchObject({ at: T0 + 72 * H })
    expect(b.notJudged).toBeUndefined()
    expect(r.ok && r.audit[0]).toMatchObject({ action: 'update', actor: 'system', at: T0 + 5 * H, note: expect.stringContaining('no distance -> 1200 km') })
    // The same facts again change nothing.
    const same = reduceAlert(b, { kind: 'facts', at: T0 + 6 * H, facts: { distanceKm: 1200, distanceSource: 'route planner' } }, c)
    expect(same.ok && same.audit).toEqual([])
  })

  it('a missed visit escalates after the resolve repeats used up the three levels', () => {
    const c = ctx(() => ({ distanceKm: 500, distanceSource: 'survey' }))
    const a = run(c, [{ kind: 'fault', transition: raise() }, { kind: 'acknowledge', by: 'li', at: T0 + 5 * MIN }])
    const e = escalate(a, T0 + 48 * H, D)
    expect(e.events.map((x) => [x.level, (x.at - T0) / H, x.missed, x.toTeam])).toEqual([
      [1, 24, 'resolve', 'supervisors'],
      [2, 26, 'resolve', 'service-manager'],
      [3, 28, 'resolve', 'service-manager'],
      [4, 48, 'on_site', 'service-manager'],
    ])
    expect(escalate(e.alert, T0 + 96 * H, D).events).toEqual([])
  })
})
