/**
 * Rate-limited log lines: at most one line per key (e.g. device + reason) per window. The first
 * line of the next window carries `suppressed`, the number of lines dropped in between, so the
 * log still says how often it happened. A hostile client can otherwise turn each packet into a
 * log line (100 refused subscriptions restored on each reconnect: 200,000 lines, 84 MB).
 *
 * Memory is bounded: at most `maxKeys` keys are tracked; beyond that the oldest key is forgotten
 * (its suppressed count is then reported as a line of its own).
 */
import type { Log } from './log.js'

type Level = Parameters<Log>[0]

interface Entry {
  since: number
  suppressed: number
  level: Level
  msg: string
}

export interface LogLimiterOptions {
  windowMs: number
  maxKeys: number
}

export const LOG_LIMITER_DEFAULTS: LogLimiterOptions = { windowMs: 60_000, maxKeys: 10_000 }

export class LogLimiter {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly log: Log,
    private readonly now: () => number,
    private readonly opts: LogLimiterOptions = LOG_LIMITER_DEFAULTS,
  ) {}

  /** Logs unless a line with this key was logged less than windowMs ago. */
  line(key: string, level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    const now = this.now()
    const entry = this.entries.get(key)
    if (entry !== undefined && now - entry.since < this.opts.windowMs) {
      entry.suppressed++
      return
    }
    const suppressed = entry?.suppressed ?? 0
    // Re-inserted so the Map's order is the order of last logging: the first key is the stalest.
    this.entries.delete(key)
    this.entries.set(key, { since: now, suppressed: 0, level, msg })
    this.log(level, msg, suppressed > 0 ? { ...fields, suppressed, suppressedWindowMs: this.opts.windowMs } : fields)
    if (this.entries.size > this.opts.maxKeys) this.evictOldest()
  }

  private evictOldest(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key)
      if (entry.suppressed > 0) this.log(entry.level, entry.msg, { suppressed: entry.suppressed, suppressedWindowMs: this.opts.windowMs, key })
      return
    }
  }
}
