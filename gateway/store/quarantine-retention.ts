/**
 * Quarantine retention: records older than the maximum age go first, then the oldest beyond
 * the total size, so a device that sends nothing but bad messages cannot fill the disk
 * (issue 8). The size counted is each record's payload bytes plus its reason (what grows
 * with the input); SQLite's own page overhead comes on top.
 *
 * Pruning is amortized: the ingest reports each record it writes, and only when the total
 * passes the maximum does a prune run (after the PUBACK), deleting down to PRUNE_TO of it;
 * the age check runs at most once per AGE_CHECK_MS of the injected clock, and on a timer
 * the gateway sets.
 */
import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import type { Db } from './database.js'

export interface QuarantineRetentionOptions {
  maxAgeMs: number
  maxBytes: number
  clock: Clock
  /** A failed prune (say, the disk is full) is logged and tried again later; it never fails the caller. */
  log?: Log | undefined
}

export interface QuarantineRetentionStats {
  /** Payload and reason bytes of the records kept. */
  bytes: number
  prunedRows: number
  prunedByAge: number
  prunedBySize: number
  pruneFailures: number
}

/** A prune deletes down to this share of the maximum, so the next one is far away. */
const PRUNE_TO = 0.9
/** How often, in clock time, an insert also checks the age limit. */
export const AGE_CHECK_MS = 60 * 60_000
/** Rows per DELETE: each statement stays short on the event loop. */
const BATCH = 256

export class QuarantineRetention {
  private bytes = 0
  private lastAgeCheck = Number.NEGATIVE_INFINITY
  private pruneScheduled = false
  private readonly counters = { prunedRows: 0, prunedByAge: 0, prunedBySize: 0, pruneFailures: 0 }
  private statements: ReturnType<typeof prepare> | undefined

  constructor(
    private readonly db: Db,
    private readonly opts: QuarantineRetentionOptions,
  ) {}

  /** At start: the current total, and a first prune (the indexes it uses are migration 3's). */
  init(): void {
    this.statements = prepare(this.db)
    this.bytes = this.statements.total.get()!.bytes
    this.prune()
  }

  /**
   * Called by the ingest after each quarantine record it committed. A prune that is due runs
   * on the next turn of the event loop, not before the message's PUBACK.
   */
  recorded(bytes: number): void {
    this.bytes += bytes
    if (this.pruneScheduled) return
    if (this.bytes > this.opts.maxBytes || this.opts.clock.now() - this.lastAgeCheck >= AGE_CHECK_MS) {
      this.pruneScheduled = true
      setImmediate(() => {
        this.pruneScheduled = false
        this.prune()
      })
    }
  }

  /** Deletes what is too old, then the oldest beyond the size; returns the rows deleted (0 when it failed). */
  prune(): number {
    if (!this.db.open) return 0 // a prune scheduled just before the gateway stopped
    const now = this.opts.clock.now()
    this.lastAgeCheck = now
    try {
      return this.pruneAt(now)
    } catch (err) {
      // The total may have drifted (a record the ingest reported that did not commit): recount.
      this.counters.pruneFailures++
      this.opts.log?.('warn', 'quarantine prune failed; trying again later', { err: String(err) })
      this.recount()
      return 0
    }
  }

  private recount(): void {
    try {
      if (this.statements) this.bytes = this.statements.total.get()!.bytes
    } catch {
      // keep the estimate; the next prune recounts again
    }
  }

  private pruneAt(now: number): number {
    const s = this.statements
    if (s === undefined) return 0
    // Counted locally and applied once the transaction committed: a rolled-back prune changes nothing.
    const run = this.db.transaction(() => {
      let bytes = this.bytes
      let byAge = 0
      let bySize = 0
      const freed = (rows: readonly { bytes: number }[]) => {
        for (const r of rows) bytes -= r.bytes
        return rows.length
      }
      const cutoff = now - this.opts.maxAgeMs
      for (;;) {
        const n = freed(s.deleteOlder.all(cutoff, BATCH))
        byAge += n
        if (n < BATCH) break
      }
      if (bytes > this.opts.maxBytes) {
        const target = this.opts.maxBytes * PRUNE_TO
        while (bytes > target) {
          // Oldest first, only as many as bring the total under the target.
          const oldest = s.oldest.all(BATCH)
          if (oldest.length === 0) break
          let excess = bytes - target
          let upTo = oldest[0]!.id
          for (const r of oldest) {
            upTo = r.id
            excess -= r.bytes
            if (excess <= 0) break
          }
          bySize += freed(s.deleteUpTo.all(upTo))
        }
      }
      return { bytes: Math.max(0, bytes), byAge, bySize }
    })
    const done = run.immediate()
    this.bytes = done.bytes
    this.counters.prunedByAge += done.byAge
    this.counters.prunedBySize += done.bySize
    this.counters.prunedRows += done.byAge + done.bySize
    return done.byAge + done.bySize
  }

  stats(): QuarantineRetentionStats {
    return { bytes: this.bytes, ...this.counters }
  }

}

function prepare(db: Db) {
  const size = 'length(raw) + length(reason)'
  return {
    total: db.prepare<[], { bytes: number }>(`SELECT coalesce(sum(${size}), 0) AS bytes FROM quarantine`),
    deleteOlder: db.prepare<[number, number], { bytes: number }>(
      `DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE received_at < ? ORDER BY received_at LIMIT ?) RETURNING ${size} AS bytes`,
    ),
    // Never the newest record: it may be the one a device was just told about, larger than the limit alone.
    oldest: db.prepare<[number], { id: number; bytes: number }>(
      `SELECT id, ${size} AS bytes FROM quarantine WHERE id < (SELECT max(id) FROM quarantine) ORDER BY id LIMIT ?`,
    ),
    deleteUpTo: db.prepare<[number], { bytes: number }>(`DELETE FROM quarantine WHERE id <= ? RETURNING ${size} AS bytes`),
  }
}
