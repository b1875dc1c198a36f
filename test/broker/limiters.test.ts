/** The broker's pure limiters, table-tested without sockets: log lines and the publish token bucket. */
import { describe, expect, it } from 'vitest'
import { LogLimiter } from '../../broker/log-limiter.js'
import { PublishRateLimiter, RateLimitAbandoned } from '../../broker/publish-rate-limiter.js'

describe('LogLimiter', () => {
  it('one line per key per window; the next one carries the suppressed count', () => {
    let now = 0
    const lines: Array<[string, Record<string, unknown> | undefined]> = []
    const limiter = new LogLimiter((_l, msg, fields) => lines.push([msg, fields]), () => now, { windowMs: 1000, maxKeys: 10 })
    for (let i = 0; i < 5; i++) limiter.line('a', 'warn', 'A', { i })
    limiter.line('b', 'warn', 'B')
    now = 999
    limiter.line('a', 'warn', 'A', { i: 5 })
    now = 1000
    limiter.line('a', 'warn', 'A', { i: 6 })
    expect(lines).toEqual([
      ['A', { i: 0 }],
      ['B', {}],
      ['A', { i: 6, suppressed: 5, suppressedWindowMs: 1000 }],
    ])
  })

  it('tracks at most maxKeys keys; a forgotten key with suppressed lines reports them', () => {
    const lines: Array<[string, Record<string, unknown> | undefined]> = []
    const limiter = new LogLimiter((_l, msg, fields) => lines.push([msg, fields]), () => 0, { windowMs: 1000, maxKeys: 2 })
    limiter.line('a', 'warn', 'A')
    limiter.line('a', 'warn', 'A')
    limiter.line('b', 'warn', 'B')
    limiter.line('c', 'warn', 'C') // evicts a, which had 1 suppressed
    expect(lines).toEqual([
      ['A', {}],
      ['B', {}],
      ['C', {}],
      ['A', { suppressed: 1, suppressedWindowMs: 1000, key: 'a' }],
    ])
  })
})

describe('PublishRateLimiter', () => {
  function make(perSecond: number, burst: number) {
    const clock = { now: 0 }
    const held: object[] = []
    const released: object[] = []
    const throttled: string[] = []
    const limiter = new PublishRateLimiter(
      { perSecond, burst },
      {
        now: () => clock.now,
        noticeIntervalMs: 10_000,
        onThrottled: (id) => throttled.push(id),
        hold: (o) => held.push(o),
        release: (o) => released.push(o),
      },
    )
    return { clock, held, released, throttled, limiter }
  }

  it('admits a burst at once, then one publish per 1/rate seconds, in arrival order', async () => {
    const { clock, limiter, held, released, throttled } = make(10, 3)
    const owner = {}
    for (let i = 0; i < 3; i++) expect(limiter.acquire('d', owner)).toBeNull()
    const order: number[] = []
    const waits = [0, 1, 2].map((i) => limiter.acquire('d', owner)?.then(() => order.push(i)))
    expect(waits.every((w) => w !== undefined)).toBe(true)
    expect(held).toEqual([owner])
    expect(throttled).toEqual(['d'])
    clock.now = 100
    await waits[0]
    // The limiter looks again every 1/rate s of real time; the manual clock has not moved.
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(order).toEqual([0])
    clock.now = 300
    await Promise.all(waits)
    expect(order).toEqual([0, 1, 2])
    expect(released).toEqual([owner])
    limiter.close()
  })

  it('abandon() rejects only that owner\'s waiters and lets the others move up', async () => {
    const { clock, limiter } = make(10, 1)
    const a = {}
    const b = {}
    expect(limiter.acquire('d', a)).toBeNull()
    const fromA = limiter.acquire('d', a)
    const fromB = limiter.acquire('d', b)
    limiter.abandon('d', a)
    await expect(fromA).rejects.toBeInstanceOf(RateLimitAbandoned)
    clock.now = 100
    await fromB
    expect(limiter.waitingCount()).toBe(0)
    limiter.close()
  })

  it('a clock set back refills nothing (and never goes negative)', async () => {
    const { clock, limiter } = make(10, 1)
    clock.now = 1000
    expect(limiter.acquire('d', {})).toBeNull()
    clock.now = 0
    let done = false
    const p = limiter.acquire('d', {})?.then(() => (done = true))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(done).toBe(false)
    clock.now = 100
    await p
    limiter.close()
  })

  it.each([
    [{ perSecond: 0, burst: 1 }],
    [{ perSecond: Number.NaN, burst: 1 }],
    [{ perSecond: 1, burst: 0 }],
    [{ perSecond: 1, burst: 1.5 }],
  ])('rejects bad limits %o', (limits) => {
    expect(() => new PublishRateLimiter(limits, { now: () => 0, noticeIntervalMs: 1, onThrottled() {}, hold() {}, release() {} })).toThrow(RangeError)
  })
})
