import { describe, expect, it } from 'vitest'

import { DeliveryGrouping, OTHER_FAULTS, type AlertEvent, type TeamDelivery } from '../../gateway/alerts/delivery-grouping.js'
import type { RateLimit } from '../../gateway/alerts/teams-config.js'
import { ManualClock } from '../../gateway/clock.js'

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)
const LIMIT: RateLimit = { windowS: 60, maxPerWindow: 5, maxListed: 50 }

function setup(limits: Record<string, RateLimit> = {}) {
  const clock = new ManualClock(T0)
  const g = new DeliveryGrouping(clock, (t) => limits[t] ?? LIMIT)
  return { clock, g }
}

const ev = (i: number, over: Partial<AlertEvent> = {}): AlertEvent => ({
  kind: 'raised', alertId: `a${i}`, deviceId: `unit-${i}`, fault: 'offline', severity: 'major', at: T0, message: `unit-${i} offline`, ...over,
})

const singles = (ds: TeamDelivery[]) => ds.filter((d) => d.kind === 'single').length
const groups = (ds: TeamDelivery[]) => ds.filter((d): d is Extract<TeamDelivery, { kind: 'group' }> => d.kind === 'group')

describe('delivery grouping', () => {
  it('a site power cut: 200 units offline in a minute -> 5 single deliveries and one group of 195; 200 retained states', () => {
    const { clock, g } = setup()
    const delivered: TeamDelivery[] = []
    const retained = new Map<string, AlertEvent>()
    for (let i = 0; i < 200; i++) {
      clock.set(T0 + i * 295) // 200 events over 58.7 s
      const r = g.publish(['north'], ev(i, { at: clock.now() }))
      retained.set(r.retained.alertId, r.retained)
      for (const d of r.deliveries) delivered.push(d)
    }
    expect(retained.size).toBe(200)
    expect(singles(delivered)).toBe(5)
    expect(g.heldFor('north')).toBe(195)
    expect(g.nextFlushAt()).toBe(T0 + 60_000)
    clock.set(T0 + 59_999)
    expect(g.tick()).toEqual([])
    clock.set(T0 + 60_000)
    const [grp, ...rest] = groups(g.tick())
    expect(rest).toEqual([])
    expect(grp).toMatchObject({ teamId: 'north', at: T0 + 60_000, windowStart: T0, count: 195, omitted: 145, byFault: { offline: 195 }, bySeverity: { major: 195 }, worstSeverity: 'major' })
    expect(grp!.listed.map((e) => e.alertId)).toEqual(Array.from({ length: 50 }, (_, k) => `a${k + 5}`))
    expect(g.heldFor('north')).toBe(0)
    expect(g.nextFlushAt()).toBeNull()
  })

  it('a storm that lasts gives one group per window; the group counts as the next window\'s first delivery', () => {
    const { clock, g } = setup()
    const perWindow: number[][] = []
    for (let w = 0; w < 3; w++) {
      const out: TeamDelivery[] = []
      for (let i = 0; i < 100; i++) {
        clock.set(T0 + w * 60_000 + i * 500)
        for (const d of g.tick()) out.push(d)
        for (const d of g.publish(['north'], ev(w * 100 + i)).deliveries) out.push(d)
      }
      perWindow.push([singles(out), groups(out).length, groups(out)[0]?.count ?? 0])
    }
    // window 0: 5 singles; window 1: the group of 95 from window 0 + 4 singles; window 2: group of 96 + 4
    expect(perWindow).toEqual([[5, 0, 0], [4, 1, 95], [4, 1, 96]])
  })

  it('after a quiet window the team starts afresh; an event after a missed tick flushes the old group first', () => {
    const { clock, g } = setup({ small: { windowS: 10, maxPerWindow: 1, maxListed: 2 } })
    expect(singles(g.publish(['small'], ev(1)).deliveries)).toBe(1)
    clock.set(T0 + 10_000)
    expect(g.tick()).toEqual([])
    clock.set(T0 + 20_000)
    expect(singles(g.publish(['small'], ev(2)).deliveries)).toBe(1)
    expect(g.publish(['small'], ev(3)).deliveries).toEqual([])
    // no tick for a long time: the next event flushes the group, then goes itself
    clock.set(T0 + 500_000)
    const ds = g.publish(['small'], ev(4)).deliveries
    expect(ds.map((d) => d.kind)).toEqual(['group'])
    expect(groups(ds)[0]).toMatchObject({ at: T0 + 500_000, windowStart: T0 + 20_000, count: 1 })
    // the group was the first delivery of the new window (max 1): ev 4 is held
    expect(g.heldFor('small')).toBe(1)
  })

  it('an alert listed once with its latest event; omitted counts the rest; worst severity; teams independent', () => {
    const { clock, g } = setup({ small: { windowS: 10, maxPerWindow: 1, maxListed: 2 } })
    expect(g.publish(['small', 'north'], ev(0)).deliveries.map((d) => [d.kind, d.teamId])).toEqual([['single', 'small'], ['single', 'north']])
    g.publish(['small'], ev(1))
    g.publish(['small'], ev(1, { kind: 'escalated', severity: 'critical' }))
    g.publish(['small'], ev(2))
    g.publish(['small'], ev(3, { fault: 'leakage', severity: 'minor' }))
    expect(g.heldFor('small')).toBe(4)
    expect(g.heldFor('north')).toBe(0)
    expect(g.nextFlushAt()).toBe(T0 + 10_000)
    clock.set(T0 + 10_000)
    const [grp, ...rest] = groups(g.tick())
    expect(rest).toEqual([])
    expect(grp).toMatchObject({ teamId: 'small', count: 4, omitted: 1, worstSeverity: 'critical', byFault: { offline: 3, leakage: 1 }, bySeverity: { major: 2, critical: 1, minor: 1 } })
    expect(grp!.listed.map((e) => [e.alertId, e.kind])).toEqual([['a1', 'escalated'], ['a2', 'raised']])
  })

  it('group contents stay bounded under 100,000 events with many fault names, and __proto__ stays a plain key', () => {
    const { clock, g } = setup()
    for (let i = 0; i < 100_000; i++) g.publish(['north'], ev(i, { fault: i === 7 ? '__proto__' : `f${i % 500}` }))
    clock.set(T0 + 60_000)
    const [grp] = groups(g.tick())
    expect(grp!.count).toBe(99_995)
    expect(grp!.listed).toHaveLength(50)
    expect(grp!.omitted).toBe(99_945)
    expect(Object.keys(grp!.byFault)).toHaveLength(51)
    expect(grp!.byFault[OTHER_FAULTS]).toBeGreaterThan(0)
    expect(Object.getPrototypeOf(grp!.byFault)).toBe(Object.prototype)
    expect(Object.hasOwn(grp!.byFault, '__proto__')).toBe(true)
    let sum = 0
    for (const n of Object.values(grp!.byFault)) sum += n
    expect(sum).toBe(99_995)
  })

  it('snapshot / restore: a window taken out as JSON and put into a new grouping gives the same group, and the same rate limit', () => {
    const a = setup()
    const b = setup()
    const held: AlertEvent[] = []
    for (let i = 0; i < 70; i++) {
      const e = ev(i, { fault: i % 3 === 0 ? 'leakage' : 'offline', severity: i === 40 ? 'critical' : 'major' })
      a.g.publish(['north'], e)
      if (i >= 5) held.push(e)
    }
    a.g.publish(['north'], ev(7, { kind: 'cleared' })) // a listed alert again: updated in place
    expect(a.g.takeDirty()).toEqual(['north'])
    expect(a.g.takeDirty()).toEqual([])
    expect(a.g.snapshot('south')).toBeNull()
    const json = JSON.parse(JSON.stringify(a.g.snapshot('north'))) as NonNullable<ReturnType<DeliveryGrouping['snapshot']>>
    expect(json).toMatchObject({ start: T0, sent: 5, pending: { count: 66, worst: 'critical' } })
    expect(json.pending!.listed).toHaveLength(50)
    b.g.restore('north', json)
    expect(b.g.heldFor('north')).toBe(66)
    // Still inside the window: the restored one holds the next event too, as the original does.
    expect(b.g.publish(['north'], ev(100)).deliveries).toEqual([])
    expect(a.g.publish(['north'], ev(100)).deliveries).toEqual([])
    a.clock.set(T0 + 60_000)
    b.clock.set(T0 + 60_000)
    const ga = groups(a.g.tick())
    const gb = groups(b.g.tick())
    expect(gb).toEqual(ga)
    // Held: events 5..69 (65), a7 again (66), event 100 (67); listed a5..a54 (50 alerts, 51 events); leakage: i = 6, 9, .. 69.
    expect(gb[0]).toMatchObject({ count: 67, omitted: 16, byFault: { leakage: 22, offline: 45 }, worstSeverity: 'critical' })
    expect(gb[0]!.listed.find((e) => e.alertId === 'a7')!.kind).toBe('cleared')
    expect(b.g.takeDirty()).toEqual(['north'])
    // The window ended and nothing more came: the next tick leaves nothing to keep.
    b.clock.set(T0 + 120_000)
    b.g.tick()
    expect(b.g.snapshot('north')).toBeNull()
  })
})
