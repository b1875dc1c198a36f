/**
 * The one durable outbox (issue 9): what the gateway owes to a sink outside it (InfluxDB
 * today; alert webhooks, evidence anchoring next), kept in the local database beside what
 * it is about, so that an acknowledged reading or a changed verdict reaches every sink even
 * across outages and restarts. Rows are appended inside the transaction that stored their
 * subject (the ingest commit, gateway/outbox/outbox-appender.ts), and drained per sink in
 * order: claim, deliver, then ack; a failed delivery is retried later (retry) or, when it
 * can never succeed (a payload that no longer parses), parked with its reason so it stays
 * visible instead of blocking the rows behind it.
 *
 * Table `outbox` (migration 4): per sink, ids run up from the tail; `upto` is the running
 * count of what the rows stand for (readings for a point), so the backlog is a difference
 * of two index look-ups, never a count.
 */
import type { Db } from '../store/database.js'

/** Larger than any time: a parked row's next attempt. */
export const NEVER = Number.MAX_SAFE_INTEGER

export interface OutboxRow {
  id: number
  /** What the delivery is about: the device id of a point, the job id of a verdict. */
  key: string
  /** The time it is about: a point's device time, a verdict's time. */
  at: number
  /** JSON, for a delivery that key and time do not say whole (a point row's device times, gateway/outbox/point-times.ts; null for one point). */
  payload: string | null
  /** What the row stands for (readings of a point). */
  n: number
  attempts: number
}

/** What a sink is handed: the rows claimed for it, in order. Throwing leaves them queued. */
export interface Sink {
  readonly name: string
  deliver(rows: readonly OutboxRow[]): Promise<void>
}

export interface OutboxAppend {
  key: string
  at: number
  payload?: string | null
  queuedAt: number
  n?: number
}

export interface SinkBacklog {
  /** What the rows waiting stand for (readings, for points). */
  count: number
  /** Gateway time the oldest waiting row was queued. */
  oldestQueuedAt: number | undefined
}

type RawRow = { id: number; key: string; at: number; payload: string | null; n: number; attempts: number }

export class Outbox {
  private readonly tail
  private readonly insert
  private readonly selectDue
  private readonly deleteUpTo
  private readonly deleteOne
  private readonly bump
  private readonly ends
  private readonly countRows

  constructor(private readonly db: Db) {
    this.tail = db.prepare<[string], { id: number; upto: number }>('SELECT id, upto FROM outbox WHERE sink = ? ORDER BY id DESC LIMIT 1')
    this.insert = db.prepare<[string, number, string, number, string | null, number, number, number]>(
      'INSERT INTO outbox (sink, id, key, at, payload, n, upto, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.selectDue = db.prepare<[string, number, number], RawRow>(
      'SELECT id, key, at, payload, n, attempts FROM outbox WHERE sink = ? AND next_at <= ? ORDER BY id LIMIT ?',
    )
    // Parked rows stay: they are kept until someone looks at them.
    this.deleteUpTo = db.prepare<[string, number]>(`DELETE FROM outbox WHERE sink = ? AND id <= ? AND next_at < ${NEVER}`)
    this.deleteOne = db.prepare<[string, number]>('DELETE FROM outbox WHERE sink = ? AND id = ?')
    this.bump = db.prepare<[number, string | null, string, number]>('UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE sink = ? AND id = ?')
    // Head and tail in one statement, so one snapshot: the draining thread deletes rows in between otherwise.
    this.ends = db.prepare<[string, string], { n: number; upto: number; queued_at: number; tail_upto: number }>(
      'SELECT n, upto, queued_at, (SELECT upto FROM outbox WHERE sink = ? ORDER BY id DESC LIMIT 1) AS tail_upto FROM outbox WHERE sink = ? ORDER BY id LIMIT 1',
    )
    this.countRows = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM outbox WHERE sink = ?')
  }

  /** The sink's last id and running count (0, 0 when nothing waits): an appender's starting point. */
  tailOf(sink: string): { id: number; upto: number } {
    return this.tail.get(sink) ?? { id: 0, upto: 0 }
  }

  /** Writes one row with the id and running count given (the appender's batch path). */
  insertAt(sink: string, id: number, upto: number, row: OutboxAppend): void {
    this.insert.run(sink, id, row.key, row.at, row.payload ?? null, row.n ?? 1, upto, row.queuedAt)
  }

  /** Appends one row at the sink's tail; in the caller's transaction if there is one. */
  append(sink: string, row: OutboxAppend): number {
    return this.db.transaction(() => {
      const t = this.tailOf(sink)
      this.insertAt(sink, t.id + 1, t.upto + (row.n ?? 1), row)
      return t.id + 1
    }).immediate()
  }

  /** The first `limit` rows of the sink due at `now`, in order (parked and retrying rows wait). */
  claim(sink: string, limit: number, now: number = NEVER - 1): OutboxRow[] {
    return this.selectDue.all(sink, now, limit)
  }

  /**
   * The rows of the sink due at `now`, in order, read as the caller goes (it stops when it has
   * enough). The connection runs no other statement until the loop ends.
   */
  *due(sink: string, now: number = NEVER - 1): IterableIterator<OutboxRow> {
    yield* this.selectDue.iterate(sink, now, -1)
  }

  /** The sink has every row up to `id` that it was handed (a sink that delivers in order); parked rows stay. */
  ackUpTo(sink: string, id: number): void {
    this.deleteUpTo.run(sink, id)
  }

  /** The sink has this row. */
  ack(sink: string, id: number): void {
    this.deleteOne.run(sink, id)
  }

  /** The delivery failed: try again at `nextAt` (the sink's backoff decides when). */
  retry(sink: string, id: number, nextAt: number, error: string): void {
    this.bump.run(nextAt, error, sink, id)
  }

  /** The row can never be delivered as it is: kept, with why, and skipped by claim(). */
  park(sink: string, id: number, error: string): void {
    this.bump.run(NEVER, error, sink, id)
  }

  /** What waits for the sink: index look-ups only. */
  backlog(sink: string): SinkBacklog {
    const h = this.ends.get(sink, sink)
    if (!h) return { count: 0, oldestQueuedAt: undefined }
    return { count: h.tail_upto - h.upto + h.n, oldestQueuedAt: h.queued_at }
  }

  /** Rows waiting for the sink (a count: for the small queues, verdicts and alerts). */
  rows(sink: string): number {
    return this.countRows.get(sink)!.n
  }
}
