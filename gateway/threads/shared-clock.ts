/**
 * The gateway's clock, readable from a worker thread. A thread cannot call a function of the
 * gateway's isolate, so the host copies the clock's time into shared memory (an 8-byte
 * SharedArrayBuffer) every COPY_MS and whenever asked, and the thread reads that copy.
 *
 * Every clock goes this one way, the system clock included: the path the tests exercise with a
 * manual clock is the one production runs, and nothing branches on "is this the system clock?".
 * The cost is one atomic store per COPY_MS while the host runs; the thread's time lags the
 * gateway's by at most COPY_MS, far below anything the forwarder times (requeue marks, DAY bounds).
 */
import type { Clock } from '../clock.js'

const COPY_MS = 5

export class SharedClock {
  readonly buffer = new SharedArrayBuffer(8)
  private readonly ms = new BigInt64Array(this.buffer)
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly clock: Clock) {}

  /** Starts copying (idempotent); the copy is current at once. */
  start(): void {
    this.copy()
    if (this.timer) return
    this.timer = setInterval(() => this.copy(), COPY_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  copy(): void {
    Atomics.store(this.ms, 0, BigInt(Math.trunc(this.clock.now())))
  }
}

/** The thread's side: the clock the host shares. */
export function sharedClock(buffer: SharedArrayBuffer): Clock {
  const ms = new BigInt64Array(buffer)
  return { now: () => Number(Atomics.load(ms, 0)) }
}
