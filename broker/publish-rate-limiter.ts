/**
 * Per-device publish rate limit: one token bucket per device, shared by all its connections.
 *
 * Over the limit nothing is dropped and nothing is acknowledged early: the publish waits here
 * (so aedes writes its PUBACK later) and the owning connection stops being read while it has a
 * publish waiting (`hold`/`release`, see ReadGate in packet-guard.ts), so the backlog stays in
 * the sender's TCP window rather than in gateway memory. What may wait per connection is what
 * aedes had already parsed from one socket read (at most about one highWaterMark of packets).
 * Waiters are served in arrival order, so PUBACKs keep the device's publish order.
 *
 * Time comes from `now()` (a manual clock in tests); a timer only decides when to look again.
 * Memory: one small bucket per device that has published (devices are registered, so this is
 * bounded by the registry), plus the waiters above.
 */
import type { DeviceNoticeCode } from '../contract/errors.js'

export interface PublishRateLimits {
  /** Sustained messages per second per device. */
  perSecond: number
  /** Messages a device may send at once after being quiet (bucket size). */
  burst: number
}

export interface RateLimiterDeps {
  now: () => number
  /** A device had to wait; called at most once per `noticeIntervalMs` per device. */
  onThrottled: (deviceId: string, owner: object) => void
  noticeIntervalMs: number
  /** `owner` now has a publish waiting: stop reading its connection. */
  hold: (owner: object) => void
  /** `owner` has nothing waiting any more. */
  release: (owner: object) => void
}

interface Waiter {
  owner: object
  resolve: () => void
  reject: (error: Error) => void
}

interface Bucket {
  deviceId: string
  tokens: number
  at: number
  queue: Array<Waiter | undefined>
  head: number
  timer: ReturnType<typeof setTimeout> | undefined
  noticeAt: number
}

/** A timer that finds the clock unmoved (tests) looks again after this long, not in a busy loop. */
const MIN_RECHECK_MS = 5
const MAX_RECHECK_MS = 1000

export class RateLimitAbandoned extends Error {
  override name = 'RateLimitAbandoned'
}

export class PublishRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly waiting = new Map<object, number>()
  private closed = false

  constructor(
    private readonly limits: PublishRateLimits,
    private readonly deps: RateLimiterDeps,
  ) {
    if (!(limits.perSecond > 0) || !Number.isFinite(limits.perSecond)) throw new RangeError(`rate limit: perSecond must be > 0, got ${limits.perSecond}`)
    if (!Number.isSafeInteger(limits.burst) || limits.burst < 1) throw new RangeError(`rate limit: burst must be a positive integer, got ${limits.burst}`)
  }

  /** null: go ahead now. A promise: resolves when this publish's turn comes, rejects if abandoned. */
  acquire(deviceId: string, owner: object): Promise<void> | null {
    if (this.closed) return Promise.reject(new RateLimitAbandoned('broker closing'))
    const bucket = this.bucketOf(deviceId)
    this.refill(bucket)
    if (bucket.head === bucket.queue.length && bucket.tokens >= 1) {
      bucket.tokens -= 1
      return null
    }
    const now = this.deps.now()
    if (now - bucket.noticeAt >= this.deps.noticeIntervalMs) {
      bucket.noticeAt = now
      this.deps.onThrottled(deviceId, owner)
    }
    return new Promise<void>((resolve, reject) => {
      bucket.queue.push({ owner, resolve, reject })
      this.countWaiting(owner, +1)
      this.schedule(bucket)
    })
  }

  /** The owner's connection closed: its waiting publishes fail (never acknowledged, so resent). */
  abandon(deviceId: string, owner: object): void {
    const bucket = this.buckets.get(deviceId)
    if (bucket === undefined) return
    const error = new RateLimitAbandoned('connection closed while waiting for the publish rate limit')
    for (let i = bucket.head; i < bucket.queue.length; i++) {
      const waiter = bucket.queue[i]
      if (waiter?.owner !== owner) continue
      bucket.queue[i] = undefined
      waiter.reject(error)
    }
    this.waiting.delete(owner)
    this.drain(deviceId, bucket)
  }

  /** Waiting publishes of every device (for tests and stats). */
  waitingCount(): number {
    let n = 0
    for (const count of this.waiting.values()) n += count
    return n
  }

  close(): void {
    this.closed = true
    const error = new RateLimitAbandoned('broker closing')
    for (const bucket of this.buckets.values()) {
      clearTimeout(bucket.timer)
      for (let i = bucket.head; i < bucket.queue.length; i++) bucket.queue[i]?.reject(error)
    }
    this.buckets.clear()
    this.waiting.clear()
  }

  private bucketOf(deviceId: string): Bucket {
    let bucket = this.buckets.get(deviceId)
    if (bucket === undefined) {
      bucket = { deviceId, tokens: this.limits.burst, at: this.deps.now(), queue: [], head: 0, timer: undefined, noticeAt: -Infinity }
      this.buckets.set(deviceId, bucket)
    }
    return bucket
  }

  private refill(bucket: Bucket): void {
    const now = this.deps.now()
    const elapsed = Math.max(0, now - bucket.at)
    bucket.at = now
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (elapsed * this.limits.perSecond) / 1000)
  }

  private drain(deviceId: string, bucket: Bucket): void {
    this.refill(bucket)
    while (bucket.head < bucket.queue.length) {
      const waiter = bucket.queue[bucket.head]
      if (waiter !== undefined) {
        if (bucket.tokens < 1) break
        bucket.tokens -= 1
        waiter.resolve()
        this.countWaiting(waiter.owner, -1)
      }
      bucket.queue[bucket.head] = undefined
      bucket.head++
    }
    if (bucket.head === bucket.queue.length) {
      bucket.queue = []
      bucket.head = 0
      clearTimeout(bucket.timer)
      bucket.timer = undefined
      // A full, idle bucket is the same as no bucket: forget it.
      if (bucket.tokens >= this.limits.burst) this.buckets.delete(deviceId)
      return
    }
    // Compact now and then so a long throttle does not keep a growing array of holes.
    if (bucket.head > 1024 && bucket.head * 2 > bucket.queue.length) {
      bucket.queue = bucket.queue.slice(bucket.head)
      bucket.head = 0
    }
    this.schedule(bucket)
  }

  private schedule(bucket: Bucket): void {
    if (bucket.timer !== undefined) return
    const deficit = Math.max(0, 1 - bucket.tokens)
    const ms = Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, Math.ceil((deficit * 1000) / this.limits.perSecond)))
    bucket.timer = setTimeout(() => {
      bucket.timer = undefined
      if (this.buckets.get(bucket.deviceId) === bucket) this.drain(bucket.deviceId, bucket)
    }, ms)
  }

  private countWaiting(owner: object, delta: number): void {
    const before = this.waiting.get(owner) ?? 0
    const after = before + delta
    if (after <= 0) this.waiting.delete(owner)
    else this.waiting.set(owner, after)
    if (before === 0 && after > 0) this.deps.hold(owner)
    if (before > 0 && after <= 0) this.deps.release(owner)
  }
}

export const RATE_LIMITED_CODE = 'GW_ERR_RATE_LIMITED' satisfies DeviceNoticeCode

/** What a throttled device is told on its error topic (same envelope as the ingest's answers). */
export function rateLimitNotice(limits: PublishRateLimits, noticeIntervalMs: number, now: number): string {
  return JSON.stringify({
    status: 'error',
    error: {
      code: RATE_LIMITED_CODE,
      message: `this device publishes faster than ${limits.perSecond} messages/s (burst ${limits.burst}): acknowledgements are delayed until it is back under the limit; nothing is dropped`,
      details: [
        `limit: ${limits.perSecond} messages/s sustained, burst ${limits.burst}, shared by all connections of the device`,
        `this notice repeats at most every ${Math.round(noticeIntervalMs / 1000)} s while the device is over the limit`,
      ],
    },
    limit: { messagesPerSecond: limits.perSecond, burst: limits.burst },
    receivedAt: now,
  })
}
