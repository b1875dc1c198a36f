/**
 * The per-device connection cap. A device's connections are keyed by their MQTT session key
 * (the device-scoped clientId, see hooks.ts): a CONNECT with a session key the device already
 * has connected is a takeover [MQTT-3.1.4-2] and is always admitted (aedes then closes the old
 * connection), so a device whose previous TCP connection went half-open gets back in at once.
 * A CONNECT with a new session key beyond the cap is refused: the newest loses, never a live one.
 */
export class DeviceConnections<C> {
  // Two flat maps rather than a Map per device: one entry per connection and one count per
  // device, so an idle connection costs two hash entries (issue 8: memory per connection).
  private readonly bySession = new Map<string, C>()
  private readonly counts = new Map<string, number>()

  constructor(private readonly maxPerDevice: number) {
    if (!Number.isSafeInteger(maxPerDevice) || maxPerDevice < 1) {
      throw new RangeError(`broker: maxConnectionsPerDevice must be a positive integer, got ${maxPerDevice}`)
    }
  }

  /** true = admitted and counted until release(); false = over the cap. `sessionKey` is unique across devices. */
  admit(deviceId: string, sessionKey: string, client: C): boolean {
    if (this.bySession.has(sessionKey)) {
      this.bySession.set(sessionKey, client)
      return true
    }
    const count = this.count(deviceId)
    if (count >= this.maxPerDevice) return false
    this.bySession.set(sessionKey, client)
    this.counts.set(deviceId, count + 1)
    return true
  }

  /** The connection closed. A connection already taken over by a newer one releases nothing. */
  release(deviceId: string, sessionKey: string, client: C): void {
    if (this.bySession.get(sessionKey) !== client) return
    this.bySession.delete(sessionKey)
    const count = this.count(deviceId) - 1
    if (count <= 0) this.counts.delete(deviceId)
    else this.counts.set(deviceId, count)
  }

  count(deviceId: string): number {
    return this.counts.get(deviceId) ?? 0
  }
}
