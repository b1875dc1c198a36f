/**
 * aedes's in-memory persistence (aedes-persistence), with bounds a hostile or forgetful client
 * cannot push past:
 *
 * - Each session's outgoing queue (QoS 1 messages for a persistent session, offline or not yet
 *   acknowledged) keeps at most `maxMessages` packets and `maxBytes` bytes (topic + payload); when
 *   a new message would exceed either, the OLDEST queued messages are dropped. The broker only
 *   sends devices its own answers (error topic, job status), where the newest matter most.
 *   Without this, one offline persistent subscriber queued 95 MB for 10 MB of input.
 * - Persistent sessions per device: at most `maxSessionsPerDevice` stored; storing one more
 *   forgets the device's oldest stored session (its subscriptions and queue), so a device cannot
 *   multiply every answer by creating sessions under fresh clientIds.
 * - Subscriptions the ACL refused are never stored: aedes stores a SUBSCRIBE's whole topic list
 *   when any entry was granted (handlers/subscribe.js storeSubscriptions), and restores and
 *   re-authorizes (and logs) every stored entry on each reconnect.
 *
 * Everything else is delegated to the stock in-memory persistence unchanged.
 */
import { Readable } from 'node:stream'
import aedesPersistence from 'aedes-persistence'

/** The fields of an aedes packet this module reads; the packet objects pass through unchanged. */
export interface QueuedPacket {
  brokerId?: string
  brokerCounter?: number
  messageId?: number
  topic?: string
  payload?: Buffer | string
}

interface ClientRef {
  id: string
}

interface SubscriptionRef {
  topic: string
}

/**
 * The promise API of aedes-persistence (what aedes 1.x calls); its typings only describe the
 * callback form, so the stock instance is viewed through this narrow interface once, here.
 */
interface PromisePersistence {
  setup(broker: unknown): Promise<void>
  storeRetained(packet: unknown): Promise<void>
  createRetainedStream(pattern: string): Readable
  createRetainedStreamCombi(patterns: string[]): Readable
  addSubscriptions(client: ClientRef, subs: SubscriptionRef[]): Promise<void>
  removeSubscriptions(client: ClientRef, topics: string[]): Promise<void>
  subscriptionsByClient(client: ClientRef): Promise<unknown[]>
  countOffline(): Promise<unknown>
  subscriptionsByTopic(pattern: string): Promise<unknown[]>
  cleanSubscriptions(client: ClientRef): Promise<unknown>
  incomingStorePacket(client: ClientRef, packet: unknown): Promise<void>
  incomingGetPacket(client: ClientRef, packet: unknown): Promise<unknown>
  incomingDelPacket(client: ClientRef, packet: unknown): Promise<void>
  cleanIncoming(client: ClientRef): Promise<void>
  putWill(client: ClientRef, packet: unknown): Promise<void>
  getWill(client: ClientRef): Promise<unknown>
  delWill(client: ClientRef): Promise<unknown>
  streamWill(brokers?: unknown): Readable
  getClientList(topic: string): Readable
  destroy(): Promise<void>
}

export interface PersistenceLimits {
  maxMessages: number
  maxBytes: number
  maxSessionsPerDevice: number
}

export interface PersistenceDeps {
  /** Subscription objects the ACL refused (hooks.ts marks them before aedes stores anything). */
  refused: WeakSet<object>
  /** The device a session key belongs to (session keys are `<deviceId>/<clientId>`). */
  deviceOf: (clientId: string) => string
  onDropped?: (clientId: string, dropped: number, reason: 'queue-full' | 'session-evicted') => void
}

interface Queue {
  packets: QueuedPacket[]
  bytes: number
}

function sizeOf(packet: QueuedPacket): number {
  const payload = packet.payload
  const payloadBytes = payload === undefined ? 0 : typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
  return payloadBytes + (packet.topic === undefined ? 0 : Buffer.byteLength(packet.topic))
}

export class BoundedPersistence {
  // At run time the CommonJS module.exports is the factory; its typings declare an ESM default.
  private readonly inner = (aedesPersistence as unknown as () => PromisePersistence)()
  private readonly queues = new Map<string, Queue>()
  /** Per device: its stored persistent sessions, oldest first. */
  private readonly sessions = new Map<string, Set<string>>()

  constructor(
    private readonly limits: PersistenceLimits,
    private readonly deps: PersistenceDeps,
  ) {}

  /** Queued messages of one session (tests, stats). */
  queued(clientId: string): { messages: number; bytes: number } {
    const q = this.queues.get(clientId)
    return { messages: q?.packets.length ?? 0, bytes: q?.bytes ?? 0 }
  }

  /** Stored subscriptions of one session, as aedes would restore them. */
  storedSubscriptions(clientId: string): Promise<unknown[]> {
    return this.inner.subscriptionsByClient({ id: clientId })
  }

  // aedes checks that setup is an AsyncFunction (aedes.js listen()).
  async setup(broker: unknown): Promise<void> {
    await this.inner.setup(broker)
  }

  // --- bounded: subscriptions -------------------------------------------------------------

  async addSubscriptions(client: ClientRef, subs: SubscriptionRef[]): Promise<void> {
    const granted = subs.filter((sub) => !this.deps.refused.has(sub))
    if (granted.length === 0) return
    await this.inner.addSubscriptions(client, granted)
    await this.rememberSession(client.id)
  }

  async removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    await this.inner.removeSubscriptions(client, topics)
    if ((await this.inner.subscriptionsByClient(client)).length === 0) this.forgetSession(client.id)
  }

  async cleanSubscriptions(client: ClientRef): Promise<unknown> {
    this.forgetSession(client.id)
    return this.inner.cleanSubscriptions(client)
  }

  private async rememberSession(clientId: string): Promise<void> {
    const deviceId = this.deps.deviceOf(clientId)
    let stored = this.sessions.get(deviceId)
    if (stored === undefined) {
      stored = new Set()
      this.sessions.set(deviceId, stored)
    }
    if (stored.has(clientId)) return
    stored.add(clientId)
    while (stored.size > this.limits.maxSessionsPerDevice) {
      const oldest = stored.values().next().value as string
      stored.delete(oldest)
      const dropped = this.queues.get(oldest)?.packets.length ?? 0
      this.queues.delete(oldest)
      await this.inner.cleanSubscriptions({ id: oldest })
      this.deps.onDropped?.(oldest, dropped, 'session-evicted')
    }
  }

  private forgetSession(clientId: string): void {
    const deviceId = this.deps.deviceOf(clientId)
    const stored = this.sessions.get(deviceId)
    stored?.delete(clientId)
    if (stored?.size === 0) this.sessions.delete(deviceId)
  }

  // --- bounded: outgoing queues (same semantics as aedes-persistence's, plus the caps) -----

  async outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<void> {
    this.enqueue(sub.clientId, packet)
  }

  async outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: QueuedPacket): Promise<void> {
    for (const sub of subs) this.enqueue(sub.clientId, packet)
  }

  async outgoingUpdate(client: ClientRef, packet: QueuedPacket): Promise<void> {
    const queue = this.queues.get(client.id)
    if (queue === undefined) return
    const { packets } = queue
    for (let i = 0; i < packets.length; i++) {
      const queued = packets[i] as QueuedPacket
      if (queued.brokerId === packet.brokerId) {
        if (queued.brokerCounter === packet.brokerCounter) {
          queued.messageId = packet.messageId
          return
        }
      } else if (queued.messageId === packet.messageId) {
        queue.bytes += sizeOf(packet) - sizeOf(queued)
        packets[i] = packet
        return
      }
    }
    // Not queued any more (dropped as the oldest while on its way out). aedes-persistence throws
    // here, which makes aedes close a live client; the message is still sent, just not re-sent.
  }

  async outgoingClearMessageId(client: ClientRef, packet: QueuedPacket): Promise<QueuedPacket | undefined> {
    const queue = this.queues.get(client.id)
    if (queue === undefined) return undefined
    const { packets } = queue
    for (let i = 0; i < packets.length; i++) {
      const queued = packets[i] as QueuedPacket
      if (queued.messageId === packet.messageId) {
        packets.splice(i, 1)
        queue.bytes -= sizeOf(queued)
        if (packets.length === 0) this.queues.delete(client.id)
        return queued
      }
    }
    return undefined
  }

  outgoingStream(client: ClientRef): Readable {
    // A copy: aedes updates and clears entries while it streams them.
    const packets = this.queues.get(client.id)?.packets ?? []
    const copy: QueuedPacket[] = []
    for (const p of packets) copy.push(p)
    return Readable.from(copy)
  }

  private enqueue(clientId: string, original: QueuedPacket): void {
    // Each session gets its own copy (aedes-persistence does the same with aedes-packet).
    const packet: QueuedPacket = { ...original }
    // The publisher's packet id means nothing to this subscriber; aedes assigns one on delivery.
    packet.messageId = undefined
    const bytes = sizeOf(packet)
    let queue = this.queues.get(clientId)
    if (queue === undefined) {
      queue = { packets: [], bytes: 0 }
      this.queues.set(clientId, queue)
    }
    queue.packets.push(packet)
    queue.bytes += bytes
    let dropped = 0
    while (queue.packets.length > 0 && (queue.packets.length > this.limits.maxMessages || queue.bytes > this.limits.maxBytes)) {
      const oldest = queue.packets.shift() as QueuedPacket
      queue.bytes -= sizeOf(oldest)
      dropped++
    }
    if (queue.packets.length === 0) this.queues.delete(clientId)
    if (dropped > 0) this.deps.onDropped?.(clientId, dropped, 'queue-full')
  }

  // --- delegated unchanged ------------------------------------------------------------------

  storeRetained(packet: unknown): Promise<void> {
    return this.inner.storeRetained(packet)
  }
  createRetainedStream(pattern: string): Readable {
    return this.inner.createRetainedStream(pattern)
  }
  createRetainedStreamCombi(patterns: string[]): Readable {
    return this.inner.createRetainedStreamCombi(patterns)
  }
  subscriptionsByClient(client: ClientRef): Promise<unknown[]> {
    return this.inner.subscriptionsByClient(client)
  }
  countOffline(): Promise<unknown> {
    return this.inner.countOffline()
  }
  subscriptionsByTopic(pattern: string): Promise<unknown[]> {
    return this.inner.subscriptionsByTopic(pattern)
  }
  incomingStorePacket(client: ClientRef, packet: unknown): Promise<void> {
    return this.inner.incomingStorePacket(client, packet)
  }
  incomingGetPacket(client: ClientRef, packet: unknown): Promise<unknown> {
    return this.inner.incomingGetPacket(client, packet)
  }
  incomingDelPacket(client: ClientRef, packet: unknown): Promise<void> {
    return this.inner.incomingDelPacket(client, packet)
  }
  cleanIncoming(client: ClientRef): Promise<void> {
    return this.inner.cleanIncoming(client)
  }
  putWill(client: ClientRef, packet: unknown): Promise<void> {
    return this.inner.putWill(client, packet)
  }
  getWill(client: ClientRef): Promise<unknown> {
    return this.inner.getWill(client)
  }
  delWill(client: ClientRef): Promise<unknown> {
    return this.inner.delWill(client)
  }
  streamWill(brokers?: unknown): Readable {
    return this.inner.streamWill(brokers)
  }
  getClientList(topic: string): Readable {
    return this.inner.getClientList(topic)
  }
  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}
