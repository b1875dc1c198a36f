/**
 * Drains one sink of the outbox: claim the rows due, hand them to the sink, ack them when it
 * took them all. A failure leaves them queued with their attempt counted and their next try
 * set by the forwarder's capped, jittered exponential backoff (gateway/shared/backoff.ts),
 * kept in the rows so it outlives a restart; after `maxAttempts` a row is parked (kept, with
 * the last error) so it cannot hold the sink's other rows up forever. InfluxDB's forwarder
 * drains its own sinks (it also re-routes and rolls up); a new sink (issue 11's webhooks)
 * needs only a Sink and one of these.
 */
import type { Clock } from '../clock.js'
import type { Log } from '../log.js'
import { Backoff, systemTimer, type Timer } from '../shared/backoff.js'
import { PollLoop } from '../shared/poll-loop.js'
import type { Outbox, Sink } from './outbox.js'

export interface SinkDrainerOptions {
  outbox: Outbox
  sink: Sink
  clock: Clock
  log: Log
  /** Rows handed to the sink at once. */
  batch?: number
  /** Failed deliveries of one row before it is parked. */
  maxAttempts?: number
  backoff?: { baseMs: number; capMs: number }
  random?: () => number
  timer?: Timer
  /** Wait between looks at an empty sink. */
  pollMs?: number
}

export type DrainResult = 'delivered' | 'idle' | 'failed'

export class SinkDrainer {
  private readonly backoff: Backoff
  private readonly loop: PollLoop

  constructor(private readonly opts: SinkDrainerOptions) {
    this.backoff = new Backoff({ ...(opts.backoff ?? { baseMs: 250, capMs: 30_000 }), ...(opts.random ? { random: opts.random } : {}) })
    this.loop = new PollLoop(opts.timer ?? systemTimer, async () => ((await this.once()) === 'delivered' ? 0 : (opts.pollMs ?? 1000)))
  }

  /** One claim-deliver-ack round (tests drive it directly; start() loops it). */
  async once(): Promise<DrainResult> {
    const { outbox, sink, clock } = this.opts
    const now = clock.now()
    const rows = outbox.claim(sink.name, this.opts.batch ?? 100, now)
    if (rows.length === 0) return 'idle'
    try {
      await sink.deliver(rows)
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      const delay = this.backoff.next()
      const max = this.opts.maxAttempts ?? 20
      for (const r of rows) {
        if (r.attempts + 1 >= max) outbox.park(sink.name, r.id, why)
        else outbox.retry(sink.name, r.id, now + delay, why)
      }
      this.opts.log(this.backoff.failures === 1 ? 'warn' : 'debug', 'outbox delivery failed, will retry', { sink: sink.name, rows: rows.length, err: why, retryInMs: delay })
      return 'failed'
    }
    this.backoff.reset()
    for (const r of rows) outbox.ack(sink.name, r.id)
    return 'delivered'
  }

  /** Loops once() on the timer (idempotent). */
  start(): void {
    this.loop.start()
  }

  /** Looks at the sink now (rows were just appended) instead of after the poll wait. */
  wake(): void {
    this.loop.wake()
  }

  /** Stops the loop and waits for a delivery in flight (idempotent). What is left stays queued. */
  stop(): Promise<void> {
    return this.loop.stop()
  }
}
