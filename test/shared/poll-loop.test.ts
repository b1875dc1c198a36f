import { describe, expect, it } from 'vitest'
import type { Timer } from '../../gateway/shared/backoff.js'
import { PollLoop } from '../../gateway/shared/poll-loop.js'

/** A timer fired by hand: `pending` lists what is set, with its delay. */
function handTimer() {
  const pending = new Map<number, { fn: () => void; ms: number }>()
  let next = 1
  const timer: Timer = {
    set: (fn, ms) => {
      pending.set(next, { fn, ms })
      return next++
    },
    clear: (h) => void pending.delete(h as number),
  }
  const fire = () => {
    const first = [...pending][0]
    if (!first) throw new Error('no timer set')
    pending.delete(first[0])
    first[1].fn()
  }
  return { timer, pending, fire }
}

describe('PollLoop', () => {
  it('waits the delay each round returns, and start() twice runs one loop', async () => {
    const { timer, pending, fire } = handTimer()
    const delays = [0, 250, 1000]
    let rounds = 0
    const loop = new PollLoop(timer, async () => delays[rounds++] ?? 5)
    loop.start()
    loop.start()
    expect([...pending.values()].map((t) => t.ms)).toEqual([0])
    for (const expected of [0, 250, 1000]) {
      fire()
      await new Promise((r) => setImmediate(r))
      expect([...pending.values()].map((t) => t.ms)).toEqual([expected])
    }
    expect(rounds).toBe(3)
    await loop.stop()
    expect(pending.size).toBe(0)
  })

  it('stop() waits for the round in flight and nothing is scheduled after it', async () => {
    const { timer, pending, fire } = handTimer()
    let release!: () => void
    let finished = false
    const loop = new PollLoop(timer, () => new Promise<number>((r) => (release = () => { finished = true; r(0) })))
    loop.start()
    fire()
    const stopped = loop.stop()
    let stopDone = false
    void stopped.then(() => (stopDone = true))
    await new Promise((r) => setImmediate(r))
    expect(stopDone).toBe(false)
    release()
    await stopped
    expect(finished).toBe(true)
    expect(pending.size).toBe(0)
    expect(loop.isRunning).toBe(false)
  })
})

describe('PollLoop.wake', () => {
  it('runs the next round now instead of after its wait, and right after a round in flight', async () => {
    const { timer, pending, fire } = handTimer()
    let rounds = 0
    let release: (() => void) | undefined
    const loop = new PollLoop(timer, () => {
      rounds++
      return rounds === 2 ? new Promise<number>((r) => (release = () => r(60_000))) : Promise.resolve(60_000)
    })
    loop.start()
    fire()
    await new Promise((r) => setImmediate(r))
    expect([...pending.values()].map((t) => t.ms)).toEqual([60_000])
    loop.wake()
    expect([...pending.values()].map((t) => t.ms)).toEqual([0])
    fire() // round 2, held in flight
    loop.wake()
    release!()
    await new Promise((r) => setImmediate(r))
    expect(rounds).toBe(2)
    expect([...pending.values()].map((t) => t.ms)).toEqual([0])
    await loop.stop()
  })
})
