/**
 * Retry delays (InfluxDB unreachable, a worker thread to restart): exponential (base · 2^attempt) up to a cap,
 * with "equal jitter" (half fixed, half random) so that gateways restarted together do not
 * retry in step, and a delay never collapses to zero.
 */
export interface BackoffOptions {
  baseMs: number
  capMs: number
  /** [0, 1); injected so tests get exact delays. */
  random?: () => number
}

export class Backoff {
  private attempt = 0
  private readonly random: () => number

  constructor(private readonly opts: BackoffOptions) {
    if (!(opts.baseMs > 0 && opts.capMs >= opts.baseMs)) throw new RangeError('backoff: need 0 < baseMs <= capMs')
    this.random = opts.random ?? Math.random
  }

  /** Failures in a row so far. */
  get failures(): number {
    return this.attempt
  }

  /** The delay before the next try, after one more failure. */
  next(): number {
    const ceiling = Math.min(this.opts.capMs, this.opts.baseMs * 2 ** Math.min(this.attempt, 30))
    this.attempt++
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2))
  }

  reset(): void {
    this.attempt = 0
  }
}

/** Timers are injected: production uses the real ones, tests fire them by hand. */
export interface Timer {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

export const systemTimer: Timer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
