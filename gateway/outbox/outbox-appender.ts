/**
 * The ingest commit's side of the outbox: a row per point (device, device time) a message
 * newly stored readings of, with their count, for each sink that takes points. begin() at
 * the start of each transaction reads each sink's tail (others append too: the forwarder's
 * re-routes); mark() each reading really inserted; end() the message. Consecutive marks of
 * the same point make one row, so the commit path costs one insert per point, not per reading.
 */
import type { Outbox } from './outbox.js'

interface Pending {
  deviceId: string
  ts: number
  queuedAt: number
  n: number
}

class SinkTail {
  id = 0
  upto = 0
  pending: Pending | undefined

  constructor(readonly sink: string) {}
}

export class OutboxAppender {
  private readonly tails: SinkTail[]

  constructor(
    private readonly outbox: Outbox,
    sinks: readonly string[],
  ) {
    this.tails = sinks.map((s) => new SinkTail(s))
  }

  get sinks(): readonly string[] {
    return this.tails.map((t) => t.sink)
  }

  begin(): void {
    for (const t of this.tails) {
      const tail = this.outbox.tailOf(t.sink)
      t.id = tail.id
      t.upto = tail.upto
      t.pending = undefined // left over only if a transaction failed half-way (and rolled back)
    }
  }

  mark(deviceId: string, ts: number, queuedAt: number): void {
    for (const t of this.tails) {
      const p = t.pending
      if (p && p.deviceId === deviceId && p.ts === ts && p.queuedAt === queuedAt) {
        p.n++
        continue
      }
      this.write(t)
      t.pending = { deviceId, ts, queuedAt, n: 1 }
    }
  }

  /** Writes the pending rows, if any. */
  end(): void {
    for (const t of this.tails) this.write(t)
  }

  private write(t: SinkTail): void {
    const p = t.pending
    if (!p) return
    t.id++
    t.upto += p.n
    this.outbox.insertAt(t.sink, t.id, t.upto, { key: p.deviceId, at: p.ts, queuedAt: p.queuedAt, n: p.n })
    t.pending = undefined
  }
}
