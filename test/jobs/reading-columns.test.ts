/** The cache's columnar series: order, duplicates, late readings, extra fields, trimming. */
import { describe, expect, it } from 'vitest'
import type { Reading } from '../../contract/reading.js'
import { ReadingColumns } from '../../gateway/jobs/reading-columns.js'

const r = (ts: number, value: number, receivedAt = ts): Reading => ({ deviceId: 'm', channel: 'current_a', ts, value, receivedAt })
const all = (c: ReadingColumns) => {
  const out: Reading[] = []
  c.range(-Infinity, Infinity, out)
  return out
}

describe('ReadingColumns', () => {
  it('keeps readings in device-time order whatever order they arrive in; a late batch is merged in one pass', () => {
    const c = new ReadingColumns('m', 'current_a')
    for (const ts of [10, 20, 30, 40]) c.add(r(ts, ts / 10))
    for (const ts of [35, 5, 25, 15]) c.add(r(ts, ts / 10))
    expect(all(c).map((x) => x.ts)).toEqual([5, 10, 15, 20, 25, 30, 35, 40])
    c.add(r(50, 5))
    c.add(r(1, 0.1))
    expect(all(c).map((x) => x.ts)).toEqual([1, 5, 10, 15, 20, 25, 30, 35, 40, 50])
    expect(c.size).toBe(10)
  })

  it('the same reading twice is kept once; another value at the same device time is a second reading', () => {
    const c = new ReadingColumns('m', 'current_a')
    c.add(r(10, 1))
    c.add(r(20, 2))
    c.add(r(20, 2, 99)) // a re-send: same key, same value
    c.add(r(20, 3)) // a conflicting re-send
    c.add(r(10, 1, 98)) // a late re-send
    expect(all(c).map((x) => [x.ts, x.value])).toEqual([[10, 1], [20, 2], [20, 3]])
  })

  it('gives back the fields a Reading carries beyond the five columns', () => {
    const c = new ReadingColumns('m', 'current_a')
    c.add(r(10, 1))
    c.add({ ...r(20, 2), conflict: { others: [{ value: 3, receivedAt: 21 }] } })
    c.add({ ...r(15, 7), flag: true } as Reading) // late
    const out = all(c) as unknown as Record<string, unknown>[]
    expect(out).toEqual([
      { deviceId: 'm', channel: 'current_a', ts: 10, value: 1, receivedAt: 10 },
      { deviceId: 'm', channel: 'current_a', ts: 15, value: 7, receivedAt: 15, flag: true },
      { deviceId: 'm', channel: 'current_a', ts: 20, value: 2, receivedAt: 20, conflict: { others: [{ value: 3, receivedAt: 21 }] } },
    ])
  })

  it('range() is inclusive at both ends; dropBefore() forgets the older readings and frees the space', () => {
    const c = new ReadingColumns('m', 'current_a')
    for (let ts = 0; ts < 10_000; ts++) c.add(r(ts, ts))
    const out: Reading[] = []
    c.range(100, 102, out)
    expect(out.map((x) => x.ts)).toEqual([100, 101, 102])
    const before = c.bytes
    c.dropBefore(9_990)
    expect(c.size).toBe(10)
    expect(all(c)[0]!.ts).toBe(9_990)
    expect(c.bytes).toBeLessThan(before / 10)
  })

  it('holds a day at 1 Hz on one channel (the size that overflowed a spread) at 24 bytes a reading', () => {
    const c = new ReadingColumns('m', 'current_a')
    for (let i = 0; i < 200_000; i++) c.add(r(1_700_000_000_000 + i * 1000, i % 7))
    expect(c.size).toBe(200_000)
    expect(c.bytes).toBeLessThanOrEqual(2 * 200_000 * 24) // doubling: at most twice what is held
    const out: Reading[] = []
    c.range(-Infinity, Infinity, out)
    expect(out).toHaveLength(200_000)
  })
})
