/**
 * A small outbox sink whose rows carry JSON (InfluxDB's verdicts and alert changes): read in
 * order and parsed with the schema of what was queued. A row that does not parse is parked
 * with the reason (kept, visible, skipped), so it never holds up the rows behind it; the
 * forwarder logs why. Forwarded rows are acked up to the last one written.
 */
import type { z } from 'zod'
import { type Outbox } from '../../outbox/outbox.js'
import { parseStoredJson, StoredRowError } from '../../store/stored-json.js'

export class JsonSinkQueue<S extends z.ZodType> {
  private readonly parked: string[] = []

  constructor(
    private readonly outbox: Outbox,
    readonly sink: string,
    private readonly schema: S,
  ) {}

  /** The next `limit` rows due, parsed; rows that do not parse are parked (takeParked() says why). */
  take(limit: number): { id: number; value: z.output<S> }[] {
    const out: { id: number; value: z.output<S> }[] = []
    for (const row of this.outbox.claim(this.sink, limit)) {
      try {
        out.push({ id: row.id, value: parseStoredJson(row.payload ?? 'null', 'outbox', `sink ${this.sink} id ${row.id}`, this.schema) })
      } catch (err) {
        if (!(err instanceof StoredRowError)) throw err
        this.outbox.park(this.sink, row.id, err.message)
        this.parked.push(err.message)
      }
    }
    return out
  }

  /** Why rows were parked since the last call. */
  takeParked(): string[] {
    return this.parked.splice(0)
  }

  forwarded(id: number): void {
    this.outbox.ackUpTo(this.sink, id)
  }

  /** Rows waiting, parked ones included (a count: these queues are small). */
  pending(): number {
    return this.outbox.rows(this.sink)
  }
}
