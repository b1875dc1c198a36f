/**
 * The device times of a point row (outbox-appender.ts): one row stands for every point of one
 * device that a commit stored, so its payload lists their device times. JSON array: the first
 * time, then each next one as its difference from the one before (ascending, no repeats), so a
 * run of times 1 s apart costs 5 bytes each, not 14. A row of one point has no payload (its
 * time is the row's `at`), as every point row had before rows were per commit.
 */
import { StoredRowError } from '../store/stored-json.js'

/** Times per row at most: a commit with more for one device writes several rows. */
export const MAX_TIMES_PER_ROW = 512

/** `times` ascending and distinct (≥ 2 of them; one is the row's `at`, no payload). */
export function encodePointTimes(times: readonly number[]): string {
  let out = `[${times[0]!}`
  for (let i = 1; i < times.length; i++) out += `,${times[i]! - times[i - 1]!}`
  return out + ']'
}

/**
 * The times of a stored row; `row` names it for the error. Throws StoredRowError when the
 * payload is not such a list (a row changed by hand or by a bug): the caller parks that row.
 */
export function decodePointTimes(at: number, payload: string | null, row: string): number[] {
  if (payload === null) return [at]
  let list: unknown
  try {
    list = JSON.parse(payload)
  } catch (err) {
    throw new StoredRowError('outbox', row, `payload is not JSON (${err instanceof Error ? err.message : String(err)})`, true)
  }
  if (!Array.isArray(list) || list.length < 2 || list.length > MAX_TIMES_PER_ROW) {
    throw new StoredRowError('outbox', row, `payload is not a list of 2 to ${MAX_TIMES_PER_ROW} device times`)
  }
  const times = new Array<number>(list.length)
  let t = 0
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || (i > 0 && v <= 0)) {
      throw new StoredRowError('outbox', row, `payload item ${i} is ${JSON.stringify(v)}, not ${i === 0 ? 'a time in ms' : 'a positive difference in ms'}`)
    }
    t = i === 0 ? v : t + v
    times[i] = t
  }
  if (times[0] !== at) throw new StoredRowError('outbox', row, `payload starts at ${times[0]}, the row at ${at}`)
  return times
}
