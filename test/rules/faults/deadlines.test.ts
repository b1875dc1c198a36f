import { describe, expect, it } from 'vitest'

import { alertDeadlines, escalationsDue, inspectionDue, inspectionOverdueSeverity, installerCallbacks, nextEscalationAt, onSiteWithin, type CallbackEvent } from '../../../rules/faults/deadlines.js'
import { faults } from './faults-fixture.js'

const D = faults().deadlines
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)

describe('alert deadlines (T2, T3, T5, T6) and escalation', () => {
  it('a critical alert: acknowledge within 20 min, resolve within 24 h (T2)', () => {
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'critical' })
    expect(p.deadlines.map((d) => [d.kind, d.at - T0])).toEqual([
      ['acknowledge', 20 * MIN],
      ['resolve', DAY],
    ])
    expect(p.deadlines[0]!.source).toContain('T2')
  })

  it('a minor alert: 30 min to acknowledge (T5)', () => {
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'minor' })
    expect(p.deadlines[0]).toMatchObject({ kind: 'acknowledge', at: T0 + 30 * MIN })
    expect(p.deadlines[0]!.source).toContain('T5')
  })

  it('never acknowledged: escalates at 20 min, then every 2 h, three levels in all', () => {
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'major' })
    expect(p.escalations.map((e) => [e.level, (e.at - T0) / MIN, e.missed])).toEqual([
      [1, 20, 'acknowledge'],
      [2, 140, 'acknowledge'],
      [3, 260, 'acknowledge'],
    ])
    expect(escalationsDue(p, T0 + 20 * MIN - 1)).toEqual([])
    expect(escalationsDue(p, T0 + 20 * MIN).map((e) => e.level)).toEqual([1])
    expect(nextEscalationAt(p, T0 + 20 * MIN)).toBe(T0 + 140 * MIN)
    expect(nextEscalationAt(p, T0 + 260 * MIN)).toBeNull()
  })

  it('acknowledged in time: no escalation until the resolve deadline passes at 24 h', () => {
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'major', acknowledgedAt: T0 + 19 * MIN })
    expect(p.escalations.map((e) => [e.level, (e.at - T0) / HOUR, e.missed])).toEqual([
      [1, 24, 'resolve'],
      [2, 26, 'resolve'],
      [3, 28, 'resolve'],
    ])
  })

  it('acknowledged exactly at the deadline meets it; acknowledged late stops the repeats', () => {
    expect(alertDeadlines(D, { raisedAt: T0, severity: 'major', acknowledgedAt: T0 + 20 * MIN, resolvedAt: T0 + HOUR }).escalations).toEqual([])
    const late = alertDeadlines(D, { raisedAt: T0, severity: 'major', acknowledgedAt: T0 + 30 * MIN, resolvedAt: T0 + 2 * HOUR })
    expect(late.escalations.map((e) => [e.level, (e.at - T0) / MIN])).toEqual([[1, 20]])
  })

  it('a leak the installation caused: installer on site within 24 h (T3), escalated when missed', () => {
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'warning', installationLeak: true, acknowledgedAt: T0 + MIN })
    expect(p.deadlines.find((d) => d.kind === 'installer_on_site')).toMatchObject({ at: T0 + DAY, metAt: null })
    // The resolve deadline (24 h) and the T3 one fall together: both escalate at 24 h, then the
    // resolve repeat at 26 h takes the third and last level.
    expect(p.escalations.map((e) => [e.level, (e.at - T0) / HOUR, e.missed])).toEqual([
      [1, 24, 'resolve'],
      [2, 24, 'installer_on_site'],
      [3, 26, 'resolve'],
    ])
    expect(p.deadlines.find((d) => d.kind === 'installer_on_site')!.source).toContain('T3')
  })

  it('on-site response by distance (T6): 300 km is 24 h, 300.1 km 48 h, 1000 km 48 h, 1000.1 km 72 h', () => {
    expect(onSiteWithin(D, 300).withinMs).toBe(DAY)
    expect(onSiteWithin(D, 300.1).withinMs).toBe(2 * DAY)
    expect(onSiteWithin(D, 1000).withinMs).toBe(2 * DAY)
    expect(onSiteWithin(D, 1000.1).withinMs).toBe(3 * DAY)
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'critical', distanceKm: 450, acknowledgedAt: T0, onSiteAt: T0 + 47 * HOUR })
    expect(p.deadlines.find((d) => d.kind === 'on_site')).toMatchObject({ at: T0 + 2 * DAY, metAt: T0 + 47 * HOUR })
    expect(p.escalations.filter((e) => e.missed === 'on_site')).toEqual([])
  })
})

describe('a missed on-site deadline (T6) escalates', () => {
  it('at 48 h for 500 km even after the resolve deadline used up the three levels', () => {
    // DOMAIN.md T2: acknowledged at 5 min; resolve missed at 24 h, told again at 26 h and 28 h
    // (every 2 h, three levels); T6: 500 km is the <= 1000 km band, on site within 48 h.
    const p = alertDeadlines(D, { raisedAt: T0, severity: 'critical', distanceKm: 500, acknowledgedAt: T0 + 5 * MIN })
    expect(p.escalations.map((e) => [e.level, (e.at - T0) / HOUR, e.missed])).toEqual([
      [1, 24, 'resolve'],
      [2, 26, 'resolve'],
      [3, 28, 'resolve'],
      [4, 48, 'on_site'],
    ])
    // Maintenance on site at 47 h: no on-site escalation.
    const met = alertDeadlines(D, { raisedAt: T0, severity: 'critical', distanceKm: 500, acknowledgedAt: T0 + 5 * MIN, onSiteAt: T0 + 47 * HOUR })
    expect(met.escalations.map((e) => e.missed)).toEqual(['resolve', 'resolve', 'resolve'])
  })
})

describe('monthly inspection (T7)', () => {
  it("an overdue inspection is 'minor' (T5 service information) unless the pack says otherwise", () => {
    expect(inspectionOverdueSeverity(D)).toEqual({ severity: 'minor', source: expect.stringContaining('T5') })
    expect(inspectionOverdueSeverity({ ...D, inspectionOverdueSeverity: 'major' })).toEqual({ severity: 'major', source: expect.stringContaining('inspectionOverdueSeverity') })
  })

  it('is due 31 days after the last inspection (or going into service) and overdue after', () => {
    const s = { inServiceSince: T0, lastInspectionAt: T0 + 10 * DAY }
    expect(inspectionDue(D, s, T0 + 41 * DAY)).toMatchObject({ dueAt: T0 + 41 * DAY, overdue: false, overdueMs: 0 })
    expect(inspectionDue(D, s, T0 + 41 * DAY + 1)).toMatchObject({ overdue: true, overdueMs: 1 })
    expect(inspectionDue(D, { inServiceSince: T0 }, T0).dueAt).toBe(T0 + 31 * DAY)
  })
})

describe('installer call-backs (T4)', () => {
  const ev = (installerId: string, jobId: string, installedDay: number, callbackDay: number, leak = true): CallbackEvent => ({ installerId, jobId, installedAt: T0 + installedDay * DAY, callbackAt: T0 + callbackDay * DAY, leak })

  it('a leak call-back exactly 30 days after installation counts; a day later, or not a leak, does not', () => {
    const [a] = installerCallbacks(D, [ev('ann', 'j1', 0, 30), ev('ann', 'j2', 0, 31), ev('ann', 'j3', 0, 5, false)])
    expect(a!.counted.map((c) => c.jobId)).toEqual(['j1'])
    expect(a!.flagged).toBe(false)
  })

  it('2 in 30 days is allowed; 3 in 30 days flags', () => {
    const two = installerCallbacks(D, [ev('bo', 'j1', 0, 1), ev('bo', 'j2', 10, 20)])
    expect(two[0]).toMatchObject({ maxInShortWindow: 2, flagged: false, reason: null })
    // Call-backs on days 1, 20 and 31: days 1..31 is exactly 30 days apart, so all three are within 30 days.
    const three = installerCallbacks(D, [ev('bo', 'j1', 0, 1), ev('bo', 'j2', 10, 20), ev('bo', 'j3', 25, 31)])
    expect(three[0]).toMatchObject({ maxInShortWindow: 3, flagged: true })
    expect(three[0]!.reason).toBe('T4 (seed addendum art.11): 3 leak call-backs within 30 days (more than 2)')
    // Days 1, 20, 31 + 1 ms: the first and last are more than 30 days apart.
    const spread = installerCallbacks(D, [ev('bo', 'j1', 0, 1), ev('bo', 'j2', 10, 20), { ...ev('bo', 'j3', 25, 31), callbackAt: T0 + 31 * DAY + 1 }])
    expect(spread[0]).toMatchObject({ maxInShortWindow: 2, flagged: false })
  })

  it('4 in a year is allowed; 5 in a year flags, each installer on its own', () => {
    const four = [0, 70, 140, 210].map((d, i) => ev('cy', `j${i}`, d, d + 1))
    expect(installerCallbacks(D, four)[0]).toMatchObject({ maxInLongWindow: 4, maxInShortWindow: 1, flagged: false })
    const five = [...four, ev('cy', 'j5', 280, 281), ev('dee', 'k1', 0, 1)]
    const res = installerCallbacks(D, five)
    expect(res.map((r) => [r.installerId, r.flagged])).toEqual([
      ['cy', true],
      ['dee', false],
    ])
    expect(res[0]!.reason).toContain('5 within 365 days (more than 4)')
  })
})
