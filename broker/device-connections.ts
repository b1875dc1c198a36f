/**
 * The per-device connection cap. A device's connections are keyed by their MQTT session key
 * (the device-scoped clientId, see hooks.ts): a CONNECT with a session key the device already
 * has connected is a takeover [MQTT-3.1.4-2] and is always admitted (aedes then closes the old
 * connection), so a device whose previous TCP connection went half-open gets back in at once.
 * A CONNECT with a new session key beyond the cap is refused: the newest loses, never a live one.
 */
export class DeviceConnections<C> {
  private readonly byDevice = new Map<string, Map<string, C>>()

  constructor(private readonly maxPerDevice: number) {
    if (!Number.isSafeInteger(maxPerDevice) || maxPerDevice < 1) {
      throw new RangeError(`broker: maxConnectionsPerDevice must be a positive integer, got ${maxPerDevice}`)
    }
  }

  /** true = admitted and counted until release(); false = over the cap. */
  admit(deviceId: string, sessionKey: string, client: C): boolean {
    let sessions = this.byDevice.get(deviceId)
    if (sessions === undefined) {
      sessions = new Map()
      this.byDevice.set(deviceId, sessions)
    }
    if (!sessions.has(sessionKey) && sessions.size >= this.maxPerDevice) return false
    sessions.set(sessionKey, client)
    return true
  }

  /** The connection closed. A connection already taken over by a newer one releases nothing. */
  release(deviceId: string, sessionKey: string, client: C): void {
    const sessions = this.byDevice.get(deviceId)
    if (sessions?.get(sessionKey) !== client) return
    sessions.delete(sessionKey)
    if (sessions.size === 0) this.byDevice.delete(deviceId)
  }

  count(deviceId: string): number {
    return this.byDevice.get(deviceId)?.size ?? 0
  }
}
