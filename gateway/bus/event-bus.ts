/**
 * The typed in-process event bus (events.ts lists every event). Learned from zigbee2mqtt's
 * lib/eventBus.ts: listeners are registered under an owner (the module's name) and a module's
 * stop() removes all of its own with removeListeners(owner), so a stopped module hears nothing.
 *
 * emit() is SYNCHRONOUS: every listener has run when it returns. Why: the writer's caller
 * (an HTTP route answering 2xx, the ingest before its PUBACK) may rely on the consequence
 * having been noted, e.g. the job marked for re-evaluation before the route answers, exactly
 * as the direct calls this replaces did. A listener therefore must be quick and must not
 * block: one with slow work (an evaluation, a network write) schedules it and returns.
 *
 * A listener that throws is contained: the error is logged with the event and the owner, the
 * other listeners still run, and emit() never throws at the writer (whose write is done).
 */
import type { Log } from '../log.js'
import type { BusEventName, BusEvents } from './events.js'

export type BusListener<E extends BusEventName> = (payload: BusEvents[E]) => void

interface Entry {
  owner: string
  listener: (payload: never) => void
}

export class EventBus {
  private readonly byEvent = new Map<BusEventName, Entry[]>()

  constructor(private readonly log: Log = () => {}) {}

  /** Calls `listener` on every `event` until `removeListeners(owner)`. */
  on<E extends BusEventName>(event: E, owner: string, listener: BusListener<E>): void {
    const entries = this.byEvent.get(event) ?? []
    // A new array: an emit in progress keeps iterating the list it started with.
    this.byEvent.set(event, [...entries, { owner, listener }])
  }

  /** Removes every listener `owner` registered, on every event (a module's stop()). */
  removeListeners(owner: string): void {
    for (const [event, entries] of this.byEvent) {
      const kept = entries.filter((e) => e.owner !== owner)
      if (kept.length > 0) this.byEvent.set(event, kept)
      else this.byEvent.delete(event)
    }
  }

  /** Does anyone listen? (A writer may skip building a payload nobody hears.) */
  has(event: BusEventName): boolean {
    return this.byEvent.has(event)
  }

  /** Runs every listener of `event` now, in registration order; never throws. */
  emit<E extends BusEventName>(event: E, payload: BusEvents[E]): void {
    const entries = this.byEvent.get(event)
    if (!entries) return
    for (const { owner, listener } of entries) {
      try {
        const result: unknown = (listener as BusListener<E>)(payload)
        // An async listener's rejection is contained the same way, when it comes.
        if (result instanceof Promise) result.catch((err: unknown) => this.failed(event, owner, err))
      } catch (err) {
        this.failed(event, owner, err)
      }
    }
  }

  private failed(event: BusEventName, owner: string, err: unknown): void {
    this.log('error', 'bus listener failed (the write is done; other listeners ran)', { event, owner, err: err instanceof Error ? err.message : String(err) })
  }
}
