/**
 * The embedded MQTT broker: aedes + device auth + topic ACL + packet guard, on one TCP listener,
 * with the limits a hostile or runaway client cannot push past: pending connections per source
 * address (pending-admission.ts), connections per device (device-connections.ts), publish rate
 * per device (publish-rate-limiter.ts), bounded session queues (bounded-persistence.ts) and
 * rate-limited log lines (log-limiter.ts). The gateway passes in the device registry
 * (`authenticate`) and its durable ingest (`onDevicePublish`); time comes from `now` (default
 * Date.now); nothing here reads a config file or the environment.
 */
import type { EventEmitter } from 'node:events'
import { Aedes, type Client } from 'aedes'
import { deviceErrorTopic } from '../contract/topics.js'
import { BoundedPersistence } from './bounded-persistence.js'
import { DeviceConnections } from './device-connections.js'
import type { Authenticate } from '../contract/device-identity.js'
import { type Log, type MayWatchJob, type OnDevicePublish, createAccessHooks } from './hooks.js'
import { LogLimiter } from './log-limiter.js'
import { useUncachedPacketNumbers } from './packet-numbers.js'
import { DEFAULT_MAX_CONNECT_BYTES, DEFAULT_MAX_PACKET_BYTES, gateOf } from './packet-guard.js'
import { type PublishRateLimits, PublishRateLimiter, rateLimitNotice } from './publish-rate-limiter.js'
import { listenTcp } from './tcp-listener.js'

export type { DeviceIdentity, Authenticate } from '../contract/device-identity.js'
export type { DevicePublish, Log } from './hooks.js'
export type { PublishRateLimits } from './publish-rate-limiter.js'

export interface BrokerOptions {
  host: string
  /** 0 = ephemeral (tests). */
  port: number
  /** Largest MQTT packet accepted, fixed header included; larger ones drop the connection. */
  maxPacketBytes: number
  /** Largest CONNECT (the only packet allowed before authentication). Default 16 KiB. */
  maxConnectBytes?: number
  /**
   * Not-yet-authenticated connections allowed at once. When reached, a newcomer still gets in:
   * the oldest pending connection of the address with the most pending ones is closed.
   */
  maxPendingConnections: number
  /** Not-yet-authenticated connections from one address (IPv6: one /64); more are closed on accept. */
  maxPendingPerAddress?: number
  /** Authenticated connections per device (distinct clientIds); beyond it CONNACK 3. */
  maxConnectionsPerDevice?: number
  /** Publish rate per device, across its connections; over it PUBACKs are delayed. */
  publishRate?: PublishRateLimits
  /** Per session: queued QoS 1 messages to the device (oldest dropped beyond either cap). */
  maxQueuedMessages?: number
  maxQueuedBytes?: number
  /** Stored persistent sessions per device (the oldest is forgotten beyond it). */
  maxSessionsPerDevice?: number
  /** Milliseconds since the epoch; a manual clock in tests. */
  now?: () => number
  /** A socket that has not sent a complete CONNECT within this time is closed. */
  connectTimeoutMs: number
  authenticate: Authenticate
  /**
   * Called inside authorizePublish for every allowed publish from a device; the returned promise
   * resolving = durable; PUBACK follows. Must not reject for bad payloads (the gateway quarantines
   * those); a rejection means a storage failure: then the client's connection is closed without
   * PUBACK so the device retries.
   */
  onDevicePublish: OnDevicePublish
  /** Who may subscribe to a job's live status topic; without it nobody may. */
  mayWatchJob?: MayWatchJob
  log?: Log
}

export const BROKER_DEFAULTS = {
  maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
  maxConnectBytes: DEFAULT_MAX_CONNECT_BYTES,
  maxPendingConnections: 1000,
  maxPendingPerAddress: 100,
  connectTimeoutMs: 10_000,
  maxConnectionsPerDevice: 8,
  publishRate: { perSecond: 200, burst: 1000 },
  /** A throttled device hears about it at most this often on its error topic. */
  rateLimitNoticeIntervalMs: 10_000,
  maxQueuedMessages: 100,
  maxQueuedBytes: 1024 * 1024,
  maxSessionsPerDevice: 16,
} as const

export interface BrokerStats {
  /** Authenticated clients currently connected. */
  connected: number
  /** Connections dropped by the packet guard (oversized, malformed, or not starting with CONNECT). */
  rejectedPackets: number
  /** CONNECTs refused for missing or wrong credentials. */
  refusedAuth: number
  /** Sockets closed on accept because their address had maxPendingPerAddress pending already. */
  refusedConnections: number
  /** Pending sockets closed to admit a newcomer once maxPendingConnections was reached. */
  shedConnections: number
  /** Publishes waiting for their device's rate limit. */
  throttledPublishes: number
  /** Queued messages to devices dropped (oldest first) because a session queue was full. */
  droppedQueuedMessages: number
  /** Connections accepted but not yet authenticated. */
  pending: number
}

export interface RunningBroker {
  aedes: Aedes
  port: number
  /** Publishes as the broker itself (no ACL), e.g. to deviceErrorTopic(id). */
  publish(topic: string, payload: string | Buffer, opts?: { qos?: 0 | 1; retain?: boolean }): Promise<void>
  stats(): BrokerStats
  /** Idempotent: stops accepting, closes every connection and aedes. */
  close(): Promise<void>
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`broker: ${name} must be a positive integer, got ${value}`)
}

const silent: Log = () => {}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  useUncachedPacketNumbers()
  const maxConnectBytes = opts.maxConnectBytes ?? BROKER_DEFAULTS.maxConnectBytes
  const maxPendingPerAddress = opts.maxPendingPerAddress ?? BROKER_DEFAULTS.maxPendingPerAddress
  const publishRate = opts.publishRate ?? BROKER_DEFAULTS.publishRate
  const queue = {
    maxMessages: opts.maxQueuedMessages ?? BROKER_DEFAULTS.maxQueuedMessages,
    maxBytes: opts.maxQueuedBytes ?? BROKER_DEFAULTS.maxQueuedBytes,
    maxSessionsPerDevice: opts.maxSessionsPerDevice ?? BROKER_DEFAULTS.maxSessionsPerDevice,
  }
  requirePositiveInteger('maxPacketBytes', opts.maxPacketBytes)
  requirePositiveInteger('maxConnectBytes', maxConnectBytes)
  requirePositiveInteger('maxPendingConnections', opts.maxPendingConnections)
  requirePositiveInteger('maxPendingPerAddress', maxPendingPerAddress)
  requirePositiveInteger('connectTimeoutMs', opts.connectTimeoutMs)
  requirePositiveInteger('maxQueuedMessages', queue.maxMessages)
  requirePositiveInteger('maxQueuedBytes', queue.maxBytes)
  requirePositiveInteger('maxSessionsPerDevice', queue.maxSessionsPerDevice)
  const log = opts.log ?? silent
  const now = opts.now ?? Date.now
  const logLimiter = new LogLimiter(log, now)
  const counters = { refusedAuth: 0, rejectedPackets: 0, refusedConnections: 0, shedConnections: 0, droppedQueuedMessages: 0 }
  const connections = new DeviceConnections<Client>(opts.maxConnectionsPerDevice ?? BROKER_DEFAULTS.maxConnectionsPerDevice)
  const refused = new WeakSet<object>()
  let aedesRef: Aedes | undefined
  const noticeIntervalMs = BROKER_DEFAULTS.rateLimitNoticeIntervalMs
  const rateLimiter = new PublishRateLimiter(publishRate, {
    now,
    noticeIntervalMs,
    onThrottled(deviceId) {
      logLimiter.line(`rate|${deviceId}`, 'warn', 'device over its publish rate; acknowledgements delayed', { deviceId, ...publishRate })
      publishAsBroker(aedesRef, deviceErrorTopic(deviceId), rateLimitNotice(publishRate, noticeIntervalMs, now()), 1, false, log)
    },
    hold: (client) => gateOf((client as Client).conn)?.hold(),
    release: (client) => gateOf((client as Client).conn)?.release(),
  })
  const persistence = new BoundedPersistence(queue, {
    refused,
    // Session keys are `<deviceId>/<clientId>` (hooks.ts); device ids never contain '/'.
    deviceOf: (clientId) => clientId.slice(0, Math.max(0, clientId.indexOf('/'))),
    onDropped(clientId, dropped, reason) {
      counters.droppedQueuedMessages += dropped
      logLimiter.line(`queue|${reason}|${clientId}`, 'warn', 'queued messages to a device dropped', { clientId, dropped, reason, ...queue })
    },
  })

  const hooks = createAccessHooks({
    authenticate: opts.authenticate,
    onDevicePublish: opts.onDevicePublish,
    mayWatchJob: opts.mayWatchJob,
    log,
    logLimiter,
    counters,
    connections,
    rateLimiter,
    refused,
  })
  const aedes = await Aedes.createBroker({
    connectTimeout: opts.connectTimeoutMs,
    persistence,
    preConnect: hooks.preConnect,
    authenticate: hooks.authenticate,
    authorizePublish: hooks.authorizePublish,
    authorizeSubscribe: hooks.authorizeSubscribe,
    authorizeForward: hooks.authorizeForward,
  })

  // Without a listener an 'error' from aedes (persistence, will sweeping) would crash the process.
  const emitter: EventEmitter = aedes // aedes's typings omit its 'error' event
  emitter.on('error', (error: unknown) => log('error', 'aedes error', { error: String(error) }))
  aedesRef = aedes
  aedes.on('clientError', (client, error) =>
    logLimiter.line(`clientError|${client.id}`, 'info', 'client connection closed on error', { clientId: client.id, error: error.message }),
  )
  aedes.on('unsubscribe', (topics, client) => unsubscribeOwnTopics(aedes, client, hooks.ownTopicsToUnsubscribe(client, topics), log))

  const closeAedes = (): Promise<void> => new Promise((resolve) => aedes.close(() => resolve()))
  let listener: Awaited<ReturnType<typeof listenTcp>>
  try {
    listener = await listenTcp(aedes, { ...opts, maxConnectBytes, maxPendingPerAddress }, logLimiter, counters, hooks.released)
  } catch (error) {
    await closeAedes()
    throw error
  }
  log('info', 'MQTT broker listening', { host: opts.host, port: listener.port })

  let closing: Promise<void> | undefined
  return {
    aedes,
    port: listener.port,
    publish: (topic, payload, publishOpts = {}) => publishPromise(aedes, topic, payload, publishOpts.qos ?? 0, publishOpts.retain ?? false),
    stats: () => ({
      connected: aedes.connectedClients,
      rejectedPackets: counters.rejectedPackets,
      refusedAuth: counters.refusedAuth,
      refusedConnections: counters.refusedConnections,
      shedConnections: counters.shedConnections,
      throttledPublishes: rateLimiter.waitingCount(),
      droppedQueuedMessages: counters.droppedQueuedMessages,
      pending: listener.pendingConnections(),
    }),
    close() {
      closing ??= Promise.all([listener.close(), closeAedes()]).then(() => rateLimiter.close())
      return closing
    },
  }
}

function publishPromise(aedes: Aedes, topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    aedes.publish(
      { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos, retain, dup: false },
      (error) => (error ? reject(error) : resolve()),
    )
  })
}

function publishAsBroker(aedes: Aedes | undefined, topic: string, payload: string, qos: 0 | 1, retain: boolean, log: Log): void {
  if (aedes === undefined || aedes.closed) return
  publishPromise(aedes, topic, payload, qos, retain).catch((error: unknown) =>
    log('warn', 'could not publish a broker notice', { topic, error: String(error) }),
  )
}

/** Removes the live (and, for a persistent session, the stored) subscription behind a "me" UNSUBSCRIBE. */
function unsubscribeOwnTopics(aedes: Aedes, client: Client, topics: string[], log: Log): void {
  if (topics.length === 0) return
  // No messageId: aedes removes the subscription without writing a second UNSUBACK.
  client.unsubscribe({ cmd: 'unsubscribe', unsubscriptions: topics }, (error) => {
    if (error) log('warn', 'unsubscribe failed', { clientId: client.id, error: error.message })
  })
  if (client.clean) return
  // aedes only updates a persistent session when the UNSUBSCRIBE carries a messageId, and
  // does not type its persistence; this is the narrow piece used here.
  const { persistence } = aedes as unknown as {
    persistence?: { removeSubscriptions?: (client: Client, topics: string[]) => Promise<void> }
  }
  persistence?.removeSubscriptions?.(client, topics).catch((error: unknown) =>
    log('warn', 'removing stored subscription failed', { clientId: client.id, error: String(error) }),
  )
}
