/**
 * Rate limit for repeated log lines: a client can make the gateway log the same warning as
 * fast as it can send packets, so such lines go out at most once per key per interval; the
 * next line for the key carries `suppressed`, the count of lines dropped since the last one.
 * The number of keys is bounded (the oldest is forgotten), so keys built from client input
 * cannot grow memory without limit.
 */
import type { Clock } from './clock.js'
import type { Log, LogLevel } from './log.js'

export type RateLimitedLog = (key: string, level: LogLevel, msg: string, fields?: Record<string, unknown>) => void

export interface RateLimitOptions {
  clock: Clock
  /** At most one line per key in this many milliseconds. */
  intervalMs: number
  /** Keys remembered at once; default 10,000. */
  maxKeys?: number
}

export function rateLimitedLog(log: Log, opts: RateLimitOptions): RateLimitedLog {
  const maxKeys = opts.maxKeys ?? 10_000
  const seen = new Map<string, { since: number; suppressed: number }>()
  return (key, level, msg, fields) => {
    const now = opts.clock.now()
    const entry = seen.get(key)
    if (entry && now - entry.since < opts.intervalMs) {
      entry.suppressed++
      return
    }
    const suppressed = entry?.suppressed ?? 0
    // Re-inserted so the Map's order is least recently logged first.
    seen.delete(key)
    seen.set(key, { since: now, suppressed: 0 })
    if (seen.size > maxKeys) {
      const oldest = seen.keys().next()
      if (!oldest.done) seen.delete(oldest.value)
    }
    log(level, msg, suppressed > 0 ? { ...fields, suppressed } : fields)
  }
}
