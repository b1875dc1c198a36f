/**
 * The embedded MQTT broker: aedes + device auth + topic ACL + packet guard, on one TCP listener.
 * The gateway passes in the device registry (`authenticate`) and its durable ingest
 * (`onDevicePublish`); nothing here reads a clock, a config file or the environment.
 */
import type { EventEmitter } from 'node:events'
import { Aedes, type Client } from 'aedes'
import type { Authenticate } from './device-identity.js'
import { type Log, type MayWatchJob, type OnDevicePublish, createAccessHooks } from './hooks.js'
import { DEFAULT_MAX_CONNECT_BYTES, DEFAULT_MAX_PACKET_BYTES } from './packet-guard.js'
import { listenTcp } from './tcp-listener.js'

export type { DeviceIdentity, Authenticate } from './device-identity.js'
export type { DevicePublish, Log } from './hooks.js'

export interface BrokerOptions {
  host: string
  /** 0 = ephemeral (tests). */
  port: number
  /** Largest MQTT packet accepted, fixed header included; larger ones drop the connection. */
  maxPacketBytes: number
  /** Largest CONNECT (the only packet allowed before authentication). Default 16 KiB. */
  maxConnectBytes?: number
  /** Not-yet-authenticated connections allowed at once; further sockets are closed on accept. */
  maxPendingConnections: number
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
  connectTimeoutMs: 10_000,
} as const

export interface BrokerStats {
  /** Authenticated clients currently connected. */
  connected: number
  /** Connections dropped by the packet guard (oversized, malformed, or not starting with CONNECT). */
  rejectedPackets: number
  /** CONNECTs refused for missing or wrong credentials. */
  refusedAuth: number
  /** Sockets closed on accept because maxPendingConnections was reached. */
  refusedConnections: number
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
  const maxConnectBytes = opts.maxConnectBytes ?? BROKER_DEFAULTS.maxConnectBytes
  requirePositiveInteger('maxPacketBytes', opts.maxPacketBytes)
  requirePositiveInteger('maxConnectBytes', maxConnectBytes)
  requirePositiveInteger('maxPendingConnections', opts.maxPendingConnections)
  requirePositiveInteger('connectTimeoutMs', opts.connectTimeoutMs)
  const log = opts.log ?? silent
  const counters = { refusedAuth: 0, rejectedPackets: 0, refusedConnections: 0 }

  const hooks = createAccessHooks({ authenticate: opts.authenticate, onDevicePublish: opts.onDevicePublish, mayWatchJob: opts.mayWatchJob, log, counters })
  const aedes = await Aedes.createBroker({
    connectTimeout: opts.connectTimeoutMs,
    authenticate: hooks.authenticate,
    authorizePublish: hooks.authorizePublish,
    authorizeSubscribe: hooks.authorizeSubscribe,
    authorizeForward: hooks.authorizeForward,
  })

  // Without a listener an 'error' from aedes (persistence, will sweeping) would crash the process.
  const emitter: EventEmitter = aedes // aedes's typings omit its 'error' event
  emitter.on('error', (error: unknown) => log('error', 'aedes error', { error: String(error) }))
  aedes.on('clientError', (client, error) =>
    log('info', 'client connection closed on error', { clientId: client.id, error: error.message }),
  )
  aedes.on('unsubscribe', (topics, client) => unsubscribeOwnTopics(aedes, client, hooks.ownTopicsToUnsubscribe(client, topics), log))

  const closeAedes = (): Promise<void> => new Promise((resolve) => aedes.close(() => resolve()))
  let listener: Awaited<ReturnType<typeof listenTcp>>
  try {
    listener = await listenTcp(aedes, { ...opts, maxConnectBytes }, log, counters)
  } catch (error) {
    await closeAedes()
    throw error
  }
  log('info', 'MQTT broker listening', { host: opts.host, port: listener.port })

  let closing: Promise<void> | undefined
  return {
    aedes,
    port: listener.port,
    publish(topic, payload, publishOpts = {}) {
      return new Promise<void>((resolve, reject) => {
        aedes.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos: publishOpts.qos ?? 0,
            retain: publishOpts.retain ?? false,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        )
      })
    },
    stats: () => ({
      connected: aedes.connectedClients,
      rejectedPackets: counters.rejectedPackets,
      refusedAuth: counters.refusedAuth,
      refusedConnections: counters.refusedConnections,
      pending: listener.pendingConnections(),
    }),
    close() {
      closing ??= Promise.all([listener.close(), closeAedes()]).then(() => undefined)
      return closing
    },
  }
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
