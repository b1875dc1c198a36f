/** rules/reading-conflicts.ts: the verdict's note on points re-sent with another value. */
import { expect, it } from 'vitest'
import type { Reading } from '../../contract/reading.js'
import { readingConflictsCheck } from '../../rules/reading-conflicts.js'

const T = Date.UTC(2026, 10, 27, 8, 0, 0)
const r = (ts: number, value: number, others?: number[], channel: Reading['channel'] = 'current_a'): Reading => ({
  deviceId: 'clamp-1',
  channel,
  ts,
  value,
  receivedAt: ts + 100,
  ...(others ? { conflict: { others: others.map((v, i) => ({ value: v, receivedAt: ts + 200 + i })) } } : {}),
})

it('no conflicting reading: no check (clean verdicts are unchanged)', () => {
  expect(readingConflictsCheck([r(T, 1), r(T + 1000, 2)])).toBeUndefined()
  expect(readingConflictsCheck([])).toBeUndefined()
})

it('lists the conflicting readings with both values, a warning for the reviewer, evidence per channel', () => {
  const check = readingConflictsCheck([r(T, 1), r(T + 1000, 2, [2.5]), r(T + 2000, 3), r(T + 5000, 4, [4.1, 4.2]), r(T + 3000, 230, [231], 'voltage_v')])
  expect(check).toEqual({
    id: 'reading_conflicts',
    status: 'warn',
    severity: 'minor',
    measured: 3,
    unit: 'readings',
    message:
      '3 reading(s) were re-sent with a different value for the same device time; the first value was used: ' +
      'clamp-1 current_a at 2026-11-27T08:00:01.000Z: 2 (first) then 2.5; clamp-1 current_a at 2026-11-27T08:00:05.000Z: 4 (first) then 4.1, 4.2; ' +
      'clamp-1 voltage_v at 2026-11-27T08:00:03.000Z: 230 (first) then 231',
    evidence: [
      { channel: 'current_a', from: T + 1000, to: T + 5000 },
      { channel: 'voltage_v', from: T + 3000, to: T + 3000 },
    ],
  })
})

it('a long list is cut after five, with the count of the rest', () => {
  const many: Reading[] = []
  for (let i = 0; i < 8; i++) many.push(r(T + i * 1000, i, [i + 0.5]))
  const check = readingConflictsCheck(many)!
  expect(check.measured).toBe(8)
  expect(check.message.match(/\(first\)/g)).toHaveLength(5)
  expect(check.message).toMatch(/; and 3 more$/)
})
