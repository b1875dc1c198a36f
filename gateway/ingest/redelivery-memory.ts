/**
 * A timestamp-less reading gets its device time from the gateway (implicit-clock.ts), so a
 * QoS 1 redelivery of it would be a new point. To keep such writes idempotent, remember per
 * publisher the device times each recent packet id was given, and give a redelivery (DUP
 * flag, [MQTT-3.3.1-1]) those same times. Bounded: old ids are forgotten first. Held in
 * memory only: a redelivery after a gateway restart is stored again at new device times.
 */
/** The first device time, when the packet's timestamp-less readings were all the publisher's own (the usual case: no Map per packet). */
type Remembered = number | ReadonlyMap<string, number>

export class RedeliveryMemory {
  private readonly byPublisher = new Map<string, Map<number, Remembered>>()

  constructor(private readonly perPublisher = 1024) {}

  /**
   * The first device times (per device) the packet's first delivery gave, if this is a
   * redelivery of a packet still remembered; a new packet with a reused id forgets the old one.
   */
  replayFor(publisherId: string, messageId: number | undefined, dup: boolean): ReadonlyMap<string, number> | undefined {
    if (messageId === undefined) return undefined
    const ids = this.byPublisher.get(publisherId)
    if (!ids) return undefined
    if (!dup) {
      ids.delete(messageId)
      return undefined
    }
    const r = ids.get(messageId)
    return typeof r === 'number' ? new Map([[publisherId, r]]) : r
  }

  /** Remembers the device times a first delivery was given (nothing to remember: nothing kept). */
  remember(publisherId: string, messageId: number | undefined, firsts: ReadonlyMap<string, number>): void {
    if (messageId === undefined || firsts.size === 0) return
    let ids = this.byPublisher.get(publisherId)
    if (!ids) {
      ids = new Map()
      this.byPublisher.set(publisherId, ids)
    }
    ids.delete(messageId) // re-insert at the end: Map keeps insertion order
    const own = firsts.size === 1 ? firsts.get(publisherId) : undefined
    ids.set(messageId, own ?? firsts)
    if (ids.size > this.perPublisher) ids.delete(ids.keys().next().value as number)
  }
}
