import { describe, expect, it } from 'vitest'

import { afterGatewayRestart, dataSignal, offlineFault, silenceDueAt, type LinkEvent } from '../../../rules/faults/offline-fault.js'
import { faults, feed, kinds, reading, restart, UNIT } from './faults-fixture.js'

const F = faults()
const ev = offlineFault(F, UNIT)
const data = (s: number) => ({ input: dataSignal(reading('current_a', s * 1000, 1)), now: s * 1000 })
const link = (s: number, signal: LinkEvent['signal']) => ({ input: { deviceId: 'unit-1', signal } satisfies LinkEvent, now: s * 1000 })

describe('offline fault (silence 900 s, last will, bridge disconnect)', () => {
  it('no telemetry for exactly 900 s raises, not a millisecond before; data clears it', () => {
    const s = feed(ev, [data(0), data(100)]).state
    expect(ev.tick(s, 999_999).transitions).toEqual([])
    const t = ev.tick(s, 1_000_000)
    expect(kinds(t.transitions)).toEqual(['raise@1000'])
    expect(t.transitions[0]).toMatchObject({ fault: 'offline', severity: 'major', since: 100_000 })
    expect(t.transitions[0]!.message).toContain('no telemetry for 900 s')
    expect(ev.tick(t.state, 2_000_000).transitions).toEqual([]) // raised once
    expect(kinds(feed(ev, [data(3000)], t.state).transitions)).toEqual(['clear@3000'])
  })

  it('a last will or a bridge disconnect raises at once, and only once', () => {
    const r = feed(ev, [data(0), link(10, 'last_will'), link(11, 'bridge_disconnect'), link(12, 'last_will')])
    expect(kinds(r.transitions)).toEqual(['raise@10'])
    expect(r.transitions[0]!.message).toContain('last will')
    expect(kinds(feed(ev, [link(0, 'bridge_disconnect')]).transitions)).toEqual(['raise@0'])
  })

  it('a unit never seen is watched from the first tick', () => {
    const first = ev.tick(ev.initial(), 5_000)
    expect(first.transitions).toEqual([])
    expect(kinds(ev.tick(first.state, 905_000).transitions)).toEqual(['raise@905'])
  })

  it('state survives a restart; the gateway own downtime does not count as the unit silence', () => {
    const s = restart(ev, feed(ev, [data(0)]).state)
    // Gateway down from 100 s to 2000 s: the unit gets 900 s from the restart.
    const resumed = afterGatewayRestart(s, 2_000_000)
    expect(ev.tick(resumed, 2_899_999).transitions).toEqual([])
    expect(kinds(ev.tick(resumed, 2_900_000).transitions)).toEqual(['raise@2900'])
  })

  it('silenceDueAt lets one index watch many units without a timer each', () => {
    const s = feed(ev, [data(50)]).state
    expect(silenceDueAt(F, s)).toBe(950_000)
    expect(silenceDueAt(F, ev.tick(s, 950_000).state)).toBeNull()
  })

  it('the gateway clock stepping back does not move lastSeen back', () => {
    const s = feed(ev, [data(1000), data(500)]).state
    expect(s.lastSeen).toBe(1_000_000)
  })
})
