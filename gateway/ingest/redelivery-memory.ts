/**
 * A reading without a device timestamp gets its receive time as device time, so a QoS 1
 * redelivery of it would be a new point. To keep such writes idempotent, remember per
 * device when each recent packet id was first received, and give a redelivery (DUP flag,
 * [MQTT-3.3.1-1]) that same time. Bounded: old ids are forgotten first.
 */
export class RedeliveryMemory {
  private readonly byDevice = new Map<string, Map<number, number>>()

  constructor(private readonly perDevice = 1024) {}

  /** The receive time to use for a packet's timestamp-less readings. */
  receiveTimeFor(deviceId: string, messageId: number | undefined, dup: boolean, now: number): number {
    if (messageId === undefined) return now
    let ids = this.byDevice.get(deviceId)
    if (!ids) {
      ids = new Map()
      this.byDevice.set(deviceId, ids)
    }
    const first = dup ? ids.get(messageId) : undefined
    if (first !== undefined) return first
    ids.delete(messageId) // re-insert at the end: Map keeps insertion order
    ids.set(messageId, now)
    if (ids.size > this.perDevice) ids.delete(ids.keys().next().value as number)
    return now
  }

  forget(deviceId: string): void {
    this.byDevice.delete(deviceId)
  }
}
