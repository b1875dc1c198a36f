import { describe, expect, it } from 'vitest'

import { offlineFault, silenceDueAt, dataSignal } from '../../../rules/faults/offline-fault.js'
import { SilenceIndex } from '../../../rules/faults/silence-index.js'
import { faults, reading, UNIT } from './faults-fixture.js'

const F = faults()

describe('silence index: one structure watches many units', () => {
  it('10,000 units reporting every minute: only the one that stops is due, exactly 900 s after its last report', () => {
    const idx = new SilenceIndex(1000)
    const ev = offlineFault(F, UNIT)
    // Unit i reports at i*6 ms past each minute (10,000 units over 60 s), for 30 minutes;
    // unit 42 stops after its report at minute 5.
    const states = new Map<string, ReturnType<typeof ev.initial>>()
    const due: string[] = []
    let dueAt = 0
    for (let minute = 0; minute < 30; minute++) {
      for (let i = 0; i < 10_000; i++) {
        const now = minute * 60_000 + i * 6
        if (i === 42 && minute > 5) continue
        const id = `u${i}`
        const unitEv = id === UNIT.deviceId ? ev : offlineFault(F, { ...UNIT, deviceId: id })
        const r = unitEv.step(states.get(id) ?? unitEv.initial(), dataSignal(reading('current_a', now, 1, id)), now)
        states.set(id, r.state)
        idx.set(id, silenceDueAt(F, r.state))
      }
      // One tick per second of this minute.
      for (let s = 1; s <= 60; s++) {
        const now = minute * 60_000 + s * 1000
        for (const id of idx.takeDue(now)) {
          due.push(id)
          dueAt = now
        }
      }
    }
    expect(idx.size).toBe(9_999)
    expect(due).toEqual(['u42'])
    // Last report 5 min + 252 ms; due 900 s later = 1200.252 s, taken at the first tick at or after it (1201 s).
    expect(dueAt).toBe(1_201_000)
  })

  it('never takes a unit early; set(null) stops watching; nextDueAt is the earliest bucket', () => {
    const idx = new SilenceIndex(1000)
    idx.set('a', 10_500)
    idx.set('b', 5_000)
    idx.set('c', 7_000)
    idx.set('c', null)
    expect(idx.nextDueAt()).toBe(5_000)
    expect(idx.takeDue(4_999)).toEqual([])
    expect(idx.takeDue(10_999)).toEqual(['b'])
    expect(idx.takeDue(11_000)).toEqual(['a'])
    expect(idx.size).toBe(0)
    expect(idx.nextDueAt()).toBeNull()
  })

  it('moving a unit leaves no empty buckets behind (bounded by the silence span, not by messages)', () => {
    const idx = new SilenceIndex(1000)
    for (let t = 0; t < 100_000; t++) idx.set('a', t * 1000 + 900_000)
    expect(idx.size).toBe(1)
    expect(idx.nextDueAt()).toBe(99_999_000 + 900_000)
  })
})
