/**
 * A loop that runs one async round, then waits the delay the round returns, on an injected
 * timer: the drain loop of every outbox sink (gateway/outbox/sink-drainer.ts, the InfluxDB
 * forwarder). start() and stop() are idempotent; stop() waits for the round in flight.
 * A round must not throw: it turns its own failures into a (backoff) delay.
 */
import type { Timer } from './backoff.js'

export class PollLoop {
  private handle: unknown
  private running = false
  private inFlight: Promise<void> | undefined
  private woken = false

  constructor(
    private readonly timer: Timer,
    /** One round; resolves to the wait in ms before the next. */
    private readonly round: () => Promise<number>,
  ) {}

  get isRunning(): boolean {
    return this.running
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.schedule(0)
  }

  /**
   * Runs the next round now instead of after its wait (new work was queued); a round in flight
   * is followed at once by another. What is not due yet stays for its time: a round decides that.
   */
  wake(): void {
    if (!this.running) return
    if (this.inFlight) {
      this.woken = true
      return
    }
    if (this.handle !== undefined) this.timer.clear(this.handle)
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.handle !== undefined) this.timer.clear(this.handle)
    this.handle = undefined
    await this.inFlight
  }

  private schedule(ms: number): void {
    if (!this.running) return
    this.handle = this.timer.set(() => {
      this.handle = undefined
      this.inFlight = this.round()
        .then((next) => {
          const now = this.woken
          this.woken = false
          this.schedule(now ? 0 : next)
        })
        .finally(() => (this.inFlight = undefined))
    }, ms)
  }
}
