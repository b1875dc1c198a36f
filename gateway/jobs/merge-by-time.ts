/** The cache's per-device series of one channel merged into the one array evaluators take. */
import type { Reading } from '../../contract/reading.js'

/**
 * Sorted runs merged into one, by device time; on a tie the earlier run first. That is
 * the order a stable sort of their concatenation gives, in O(n·runs) instead of O(n log n).
 */
export function mergeByTime(parts: Reading[][]): Reading[] {
  if (parts.length === 1) return parts[0]!
  if (parts.length === 2) return mergeTwo(parts[0]!, parts[1]!)
  const out: Reading[] = []
  const at = parts.map(() => 0)
  for (;;) {
    let best = -1
    for (let k = 0; k < parts.length; k++) {
      const r = parts[k]![at[k]!]
      if (r !== undefined && (best < 0 || r.ts < parts[best]![at[best]!]!.ts)) best = k
    }
    if (best < 0) return out
    out.push(parts[best]![at[best]!++]!)
  }
}

/** mergeByTime of two runs (two meters on one channel: the usual case), without the general loop's bookkeeping. */
function mergeTwo(a: Reading[], b: Reading[]): Reading[] {
  const out = new Array<Reading>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = b[j]!.ts < a[i]!.ts ? b[j++]! : a[i++]!
  while (i < a.length) out[k++] = a[i++]!
  while (j < b.length) out[k++] = b[j++]!
  return out
}
