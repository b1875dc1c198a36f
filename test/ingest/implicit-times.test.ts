/** Device times of timestamp-less readings: strictly increasing per device, replayed for a redelivery. */
import { expect, it } from 'vitest'
import { ImplicitClock, MessageTimes } from '../../gateway/ingest/implicit-clock.js'
import { RedeliveryMemory } from '../../gateway/ingest/redelivery-memory.js'

const T = Date.UTC(2026, 10, 27, 8, 0, 0)

it('the receive time, +1 ms on a tie, never back even if the wall clock steps back; per device; seeded once', () => {
  const seeded: string[] = []
  const clock = new ImplicitClock((id) => {
    seeded.push(id)
    return id === 'b' ? T + 500 : undefined
  })
  expect(clock.take('a', T, 1)).toBe(T)
  expect(clock.take('a', T, 1)).toBe(T + 1)
  expect(clock.take('a', T, 3)).toBe(T + 2) // reserves T+2 .. T+4
  expect(clock.take('a', T + 3, 1)).toBe(T + 5)
  expect(clock.take('a', T - 60_000, 1)).toBe(T + 6) // NTP stepped the clock back
  expect(clock.take('a', T + 10_000, 1)).toBe(T + 10_000)
  expect(clock.take('b', T, 1)).toBe(T + 501) // the store's last time, from before a restart
  expect(clock.take('b', T, 1)).toBe(T + 502)
  expect(seeded).toEqual(['a', 'b'])
})

it('a redelivery of a remembered packet replays its first times per device; a reused packet id is a new packet', () => {
  const clock = new ImplicitClock(() => undefined)
  const memory = new RedeliveryMemory(2)
  const deliver = (publisher: string, id: number, dup: boolean, devices: [string, number][]) => {
    const replay = memory.replayFor(publisher, id, dup)
    const times = new MessageTimes(clock, T, replay)
    const got = devices.map(([d, n]) => times.take(d, n))
    if (!replay) memory.remember(publisher, id, times.firsts)
    return got
  }
  expect(deliver('m-1', 7, false, [['m-1', 2]])).toEqual([T])
  expect(deliver('bridge', 7, false, [['x', 1], ['y', 1]])).toEqual([T, T])
  expect(deliver('m-1', 7, true, [['m-1', 2]])).toEqual([T]) // DUP: the same keys, an exact duplicate
  expect(deliver('bridge', 7, true, [['x', 1], ['y', 1]])).toEqual([T, T])
  expect(deliver('m-1', 7, false, [['m-1', 1]])).toEqual([T + 2]) // packet id 7 reused: new times
  expect(deliver('m-1', 8, false, [['m-1', 1]])).toEqual([T + 3])
  expect(deliver('m-1', 9, false, [['m-1', 1]])).toEqual([T + 4]) // bound 2: id 7 forgotten
  expect(deliver('m-1', 7, true, [['m-1', 1]])).toEqual([T + 5]) // unknown redelivery: new times (stored again)
  expect(deliver('m-1', 9, true, [['m-1', 1]])).toEqual([T + 4])
})
