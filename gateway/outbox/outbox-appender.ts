/**
 * The ingest commit's side of the outbox: for each sink that takes points, one row per device
 * per commit, standing for every point (device, device time) the commit newly stored readings
 * of, with their count (point-times.ts). begin() at the start of each transaction reads each
 * sink's tail (others append too: the forwarder's re-routes); mark() each reading really
 * inserted; end() before the commit writes the rows. So a commit of 200 messages from 4 meters
 * writes 4 rows per sink, not 200: the rows were about a tenth of the commit's SQLite work and
 * of the forwarder's (claim and delete), and that much more for the WAL to flush.
 */
import type { Outbox } from './outbox.js'
import { encodePointTimes, MAX_TIMES_PER_ROW } from './point-times.js'

/** One device's points in the transaction under way: times in mark order, readings per time. */
class DevicePoints {
  readonly times: number[] = []
  readonly counts: number[] = []
  ascending = true

  constructor(
    readonly deviceId: string,
    public queuedAt: number,
  ) {}

  add(ts: number, queuedAt: number): void {
    const last = this.times.length - 1
    if (queuedAt < this.queuedAt) this.queuedAt = queuedAt
    if (last >= 0 && this.times[last] === ts) {
      this.counts[last]!++
      return
    }
    if (last >= 0 && ts < this.times[last]!) this.ascending = false
    this.times.push(ts)
    this.counts.push(1)
  }

  /** Distinct times ascending, with their readings. */
  sorted(): { times: number[]; counts: number[] } {
    if (this.ascending) return this
    const byTime = new Map<number, number>()
    for (let i = 0; i < this.times.length; i++) byTime.set(this.times[i]!, (byTime.get(this.times[i]!) ?? 0) + this.counts[i]!)
    const times = [...byTime.keys()].sort((a, b) => a - b)
    return { times, counts: times.map((t) => byTime.get(t)!) }
  }
}

class SinkTail {
  id = 0
  upto = 0

  constructor(readonly sink: string) {}
}

export class OutboxAppender {
  private readonly tails: SinkTail[]
  private pending = new Map<string, DevicePoints>()
  /** The device of the last mark: a message's readings come in a run. */
  private last: DevicePoints | undefined

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
    }
    this.clear() // left over only if a transaction failed half-way (and rolled back)
  }

  mark(deviceId: string, ts: number, queuedAt: number): void {
    let d = this.last
    if (d === undefined || d.deviceId !== deviceId) {
      d = this.pending.get(deviceId)
      if (d === undefined) this.pending.set(deviceId, (d = new DevicePoints(deviceId, queuedAt)))
      this.last = d
    }
    d.add(ts, queuedAt)
  }

  /** Writes the rows of everything marked since begin(), in the order the devices came. */
  end(): void {
    for (const d of this.pending.values()) {
      const { times, counts } = d.sorted()
      for (let from = 0; from < times.length; from += MAX_TIMES_PER_ROW) {
        const to = Math.min(times.length, from + MAX_TIMES_PER_ROW)
        let n = 0
        for (let i = from; i < to; i++) n += counts[i]!
        const payload = to - from === 1 ? null : encodePointTimes(times.slice(from, to))
        for (const t of this.tails) {
          t.id++
          t.upto += n
          this.outbox.insertAt(t.sink, t.id, t.upto, { key: d.deviceId, at: times[from]!, payload, queuedAt: d.queuedAt, n })
        }
      }
    }
    this.clear()
  }

  private clear(): void {
    this.pending = new Map()
    this.last = undefined
  }
}
