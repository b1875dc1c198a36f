/**
 * Group commit: callers submit items one at a time and each gets a promise that resolves
 * once its item is committed. Items submitted in the same event-loop turn share one
 * transaction (and one fsync), which is what keeps "durable before PUBACK" fast.
 *
 * With a CommitSync (wal-sync.ts) the transaction commits without flushing and the items
 * resolve only once the sync that follows it is done: the event loop takes the next group in
 * meanwhile instead of waiting for the disk.
 */
import { performance } from 'node:perf_hooks'
import type { CommitSync } from './wal-sync.js'

/** Told of every commit's outcome and duration: /healthz and /metrics watch the disk through it. */
export interface CommitObserver {
  committed(items: number, seconds: number): void
  failed(err: unknown, items: number, seconds: number): void
}

export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = []
  private scheduled = false

  /** commit runs the whole batch in one transaction and returns one result per item, in order. */
  constructor(
    private readonly commit: (items: readonly T[]) => R[],
    private readonly maxBatch = 4096,
    private readonly observer?: CommitObserver,
    /** Makes a committed batch durable before it resolves (the commit itself then does not flush). */
    private readonly durable?: CommitSync,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      if (this.queue.length >= this.maxBatch) this.flush()
      else if (!this.scheduled) {
        this.scheduled = true
        // setImmediate runs after this turn's socket reads, so one read chunk = one transaction.
        setImmediate(() => this.flush())
      }
    })
  }

  /**
   * Commits whatever is queued now. Safe to call at any time (also on shutdown: `blocking`
   * then syncs on this thread, so that nothing committed waits for the thread pool).
   */
  flush(blocking = false): void {
    this.scheduled = false
    const batch = this.queue
    if (batch.length === 0) return
    this.queue = []
    let results: R[]
    const started = performance.now()
    try {
      results = this.commit(batch.map((b) => b.item))
    } catch (err) {
      this.observer?.failed(err, batch.length, (performance.now() - started) / 1000)
      for (const b of batch) b.reject(err)
      return
    }
    const done = () => {
      this.observer?.committed(batch.length, (performance.now() - started) / 1000)
      batch.forEach((b, i) => b.resolve(results[i] as R))
    }
    const failed = (err: unknown) => {
      // Committed but maybe not on disk: not acknowledged (a redelivery is then a duplicate, acknowledged).
      this.observer?.failed(err, batch.length, (performance.now() - started) / 1000)
      for (const b of batch) b.reject(err)
    }
    if (!this.durable) return done()
    if (!blocking) {
      this.durable.sync().then(done, failed)
      return
    }
    try {
      this.durable.syncNow()
    } catch (err) {
      return failed(err)
    }
    done()
  }

  get pending(): number {
    return this.queue.length
  }
}
