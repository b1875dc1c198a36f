import { describe, expect, it } from 'vitest'

import type { Reading } from '../../../contract/reading.js'
import { shortCyclingFault } from '../../../rules/faults/short-cycling-fault.js'
import { faults, feed, kinds, reading, restart, UNIT } from './faults-fixture.js'

const ev = shortCyclingFault(faults(), UNIT)!
const MIN = 60

/** Stopped at `startS - 60`, running (5 A) at each start, stopped 3 min later. */
function cycles(startsS: number[]): { input: Reading; now: number }[] {
  const out: { input: Reading; now: number }[] = []
  for (const s of startsS) {
    out.push({ input: reading('current_a', (s - 60) * 1000, 0.2), now: (s - 60) * 1000 })
    out.push({ input: reading('current_a', s * 1000, 5), now: s * 1000 })
    out.push({ input: reading('current_a', (s + 180) * 1000, 0.2), now: (s + 180) * 1000 })
  }
  return out
}

describe('short-cycling fault (more than 6 starts an hour)', () => {
  it('the 7th start exactly an hour after the 1st raises; 6 starts never do', () => {
    const seven = [5, 15, 25, 35, 45, 55, 65].map((m) => m * MIN)
    const r = feed(ev, cycles(seven))
    expect(kinds(r.transitions)).toEqual([`raise@${65 * MIN}`])
    expect(r.transitions[0]).toMatchObject({ fault: 'short_cycling', severity: 'minor', count: 7, since: 5 * MIN * 1000, limit: 6 })
    expect(feed(ev, cycles(seven.slice(0, 6))).transitions).toEqual([])
  })

  it('7 starts spread over an hour and a second do not raise', () => {
    const starts = [5, 15, 25, 35, 45, 55].map((m) => m * MIN).concat([65 * MIN + 1])
    expect(feed(ev, cycles(starts)).transitions).toEqual([])
  })

  it('a unit already running at its first reading: that is no start', () => {
    const r = feed(ev, [{ input: reading('current_a', 0, 5), now: 0 }, ...cycles([10, 20, 30, 40, 50, 60].map((m) => m * MIN))])
    expect(r.transitions).toEqual([]) // 6 starts, not 7
  })

  it('a restart between the 6th and 7th start raises once', () => {
    const a = feed(ev, cycles([5, 10, 15, 20, 25, 30].map((m) => m * MIN)))
    const b = feed(ev, cycles([35, 40].map((m) => m * MIN)), restart(ev, a.state))
    // The 7th start (35 min) raises; the 8th (40 min, 5 min later) is counted as an update.
    expect(kinds(b.transitions)).toEqual([`raise@${35 * MIN}`, `update@${40 * MIN}`])
    expect(b.state.starts.recent.length).toBeLessThanOrEqual(7)
  })

  it('clears when no start has come for the auto-clear time (600 s)', () => {
    const s = feed(ev, cycles([5, 10, 15, 20, 25, 30, 35].map((m) => m * MIN))).state
    expect(ev.tick(s, (35 * MIN + 599) * 1000).transitions).toEqual([])
    expect(kinds(ev.tick(s, (35 * MIN + 600) * 1000).transitions)).toEqual([`clear@${35 * MIN + 600}`])
  })
})
