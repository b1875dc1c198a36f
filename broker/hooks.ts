/**
 * aedes access hooks: ClientId rules, device authentication and the per-device connection cap,
 * topic-name rules, topic ACL, the publish rate limit and the durable-ingest call.
 * The policy is written as plain (async) functions; `settle` adapts them to aedes's
 * callbacks, and it is the only place that does.
 */
import type { AedesOptions, AedesPublishPacket, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes'
import { CONNACK_REFUSALS } from '../contract/errors.js'
import { jobIdOfStatusTopic } from '../contract/topics.js'
import { trimConnectedClient } from './aedes-client-trim.js'
import { canPublish, mapSubscription, meTopicFor, receivesTeamTopic } from './acl.js'
import type { DeviceConnections } from './device-connections.js'
import { type Authenticate, type DeviceIdentity, isUsableDeviceId } from '../contract/device-identity.js'
import type { LogLimiter } from './log-limiter.js'
import { topicNameProblem, utf8StringProblem } from './mqtt-strings.js'
import { sourceKey } from './source-address.js'
import type { PublishRateLimiter } from './publish-rate-limiter.js'

import type { Log } from './log.js'
export type { Log }

export interface DevicePublish {
  topic: string
  payload: Buffer
  qos: 0 | 1 | 2
  messageId?: number
  dup: boolean
}

export type OnDevicePublish = (identity: DeviceIdentity, packet: DevicePublish) => Promise<void>

/** May this device watch the job's live status (v1/jobs/<id>/status)? The gateway knows who is attached. */
export type MayWatchJob = (identity: DeviceIdentity, jobId: string) => boolean | Promise<boolean>

export interface HookCounters {
  refusedAuth: number
}

export interface AccessHooks
  extends Required<Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>> {
  identityOf(client: Client): DeviceIdentity | undefined
  /** The connection's socket closed: what its device held (connection slot, waiting publishes) is released. */
  released(conn: object): void
  ownTopicsToUnsubscribe(client: Client, topics: readonly string[]): string[]
}

// CONNACK return codes [MQTT-3.2.2-5], table 3.1 (meanings: contract/errors.ts).
const IDENTIFIER_REJECTED = CONNACK_REFUSALS.identifierRejected.returnCode
const SERVER_UNAVAILABLE = CONNACK_REFUSALS.serverUnavailable.returnCode
const BAD_USERNAME_OR_PASSWORD = CONNACK_REFUSALS.badUsernameOrPassword.returnCode
const NOT_AUTHORIZED = CONNACK_REFUSALS.notAuthorized.returnCode

class ConnectRefused extends Error {
  constructor(
    readonly returnCode: typeof IDENTIFIER_REJECTED | typeof SERVER_UNAVAILABLE | typeof BAD_USERNAME_OR_PASSWORD | typeof NOT_AUTHORIZED,
    message: string,
  ) {
    super(message)
  }
}

class Session<C> {
  constructor(
    readonly client: C,
    readonly identity: DeviceIdentity,
    readonly sessionKey: string,
  ) {}
}

function sourceOf(client: Client): string {
  return sourceKey((client.conn as { remoteAddress?: string }).remoteAddress)
}

/** Runs async policy code and reports to an aedes callback, never both ways and never twice. */
function settle<T>(work: () => Promise<T>, done: (error: Error | null, value?: T) => void): void {
  work().then(
    (value) => done(null, value),
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  )
}

export function createAccessHooks(deps: {
  authenticate: Authenticate
  onDevicePublish: OnDevicePublish
  mayWatchJob?: MayWatchJob | undefined
  log: Log
  /** Repeated lines (per device and reason) go through here: at most one a minute each. */
  logLimiter: LogLimiter
  counters: HookCounters
  /** The per-device connection cap. */
  connections: DeviceConnections<Client>
  rateLimiter: PublishRateLimiter
  /** Subscription objects refused by the ACL; the persistence never stores them. */
  refused: WeakSet<object>
}): AccessHooks {
  const { log, counters, logLimiter } = deps
  /**
   * Per authenticated connection, keyed by its socket: who it is and its session key. One small
   * record and one WeakMap entry; the socket's single 'close' listener (tcp-listener.ts) ends it.
   */
  const sessions = new WeakMap<object, Session<Client>>()
  const identityOf = (client: Client): DeviceIdentity | undefined => sessions.get(client.conn)?.identity
  /** Why a CONNECT's ClientId is refused, found in preConnect (authenticate does not see the packet). */
  const badClientIds = new WeakMap<Client, string>()

  function preConnect(client: Client, clientId: string, clean: boolean): void {
    // [MQTT-3.1.3-8]: a zero-byte ClientId with CleanSession=0 gets CONNACK 2, then close.
    // (aedes would invent an id and keep a persistent session nobody can resume.)
    if (clientId === '' && !clean) badClientIds.set(client, 'zero-byte ClientId with CleanSession=0 [MQTT-3.1.3-8]')
    const problem = utf8StringProblem(clientId)
    // [MQTT-1.5.3-1] says close; [MQTT-3.1.3-9] says how to refuse a ClientId: CONNACK 2, then close.
    if (problem !== null) badClientIds.set(client, `ClientId: ${problem}`)
  }

  async function authenticate(client: Client, username?: string, password?: Buffer): Promise<true> {
    const badClientId = badClientIds.get(client)
    if (badClientId !== undefined) {
      logLimiter.line(`connect|clientid|${sourceOf(client)}`, 'warn', 'CONNECT refused: identifier rejected', { reason: badClientId, source: sourceOf(client) })
      throw new ConnectRefused(IDENTIFIER_REJECTED, badClientId)
    }
    if (username === undefined || username === '' || password === undefined) {
      counters.refusedAuth++
      throw new ConnectRefused(BAD_USERNAME_OR_PASSWORD, 'credentials missing')
    }
    let identity: DeviceIdentity | null
    try {
      identity = await deps.authenticate(username, password)
    } catch (error) {
      logLimiter.line('auth|registry', 'error', 'device registry failed during CONNECT', { deviceId: username, error: String(error) })
      throw new ConnectRefused(SERVER_UNAVAILABLE, 'device registry unavailable')
    }
    if (identity === null) {
      counters.refusedAuth++
      // Keyed by source, not user name: a client trying fresh names would get a line per attempt.
      logLimiter.line(`auth|${sourceOf(client)}`, 'warn', 'CONNECT refused: bad credentials', { deviceId: username, source: sourceOf(client) })
      throw new ConnectRefused(BAD_USERNAME_OR_PASSWORD, 'bad user name or password')
    }
    if (!isUsableDeviceId(identity.id)) {
      counters.refusedAuth++
      log('error', 'CONNECT refused: registry returned an id unusable as a topic level', { deviceId: identity.id })
      throw new ConnectRefused(NOT_AUTHORIZED, 'device id unusable')
    }
    // The MQTT session key (clientId) is scoped to the device: two devices whose firmware use the
    // same clientId do not take each other over [MQTT-3.1.4-2], and no device can resume or
    // clear another device's persistent session. Two connections of one device are fine as long
    // as their clientIds differ. aedes set client.id just before this hook and registers the
    // client (and keys persistence) only after it.
    // Closed while the registry answered: counting it now would hold a slot no 'close' frees.
    if (client.closed || (client.conn as { destroyed?: boolean }).destroyed === true) {
      throw new ConnectRefused(SERVER_UNAVAILABLE, 'connection closed during authentication')
    }
    const sessionKey = `${identity.id}/${client.id}`
    if (!deps.connections.admit(identity.id, sessionKey, client)) {
      // 3 (server unavailable), not 4/5: the credentials are fine and the refusal lasts only
      // while the device's other connections do; firmware treats 4/5 as "credentials revoked".
      logLimiter.line(`connect|cap|${identity.id}`, 'warn', 'CONNECT refused: device is at its connection cap', {
        deviceId: identity.id,
        connections: deps.connections.count(identity.id),
      })
      throw new ConnectRefused(SERVER_UNAVAILABLE, 'too many connections for this device')
    }
    sessions.set(client.conn, new Session(client, identity, sessionKey))
    client.id = sessionKey
    return true
  }

  async function authorizePublish(client: Client | null, packet: PublishPacket): Promise<void> {
    // client === null: a stale will of a client that is not connected here (aedes _clearWills).
    // The gateway's own publishes go through aedes.publish(), which never calls this hook.
    if (client === null) throw new Error('publish without a connected client refused')
    const identity = identityOf(client)
    if (identity === undefined) throw new Error('publish before authentication refused')
    const topicProblem = topicNameProblem(packet.topic)
    if (topicProblem !== null) {
      logLimiter.line(`publish|topic|${identity.id}`, 'warn', 'publish with an invalid topic name; closing connection', {
        deviceId: identity.id,
        reason: topicProblem,
      })
      // [MQTT-1.5.3-1]: ill-formed UTF-8 closes the connection; 3.1.1 has no negative PUBACK.
      throw new Error(`invalid topic name: ${topicProblem}`)
    }
    if (!canPublish(identity, packet.topic)) {
      logLimiter.line(`publish|acl|${identity.id}`, 'warn', 'publish refused by ACL; closing connection', { deviceId: identity.id, topic: packet.topic })
      // MQTT 3.1.1 has no negative PUBACK: the error makes aedes close the connection.
      throw new Error(`not authorized to publish to ${packet.topic}`)
    }
    // Device topics are the shared "me" names; a retained copy would be one device's reading
    // served to nobody and written to persistence on every publish.
    packet.retain = false
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
    const ingest: DevicePublish = { topic: packet.topic, payload, qos: packet.qos, dup: packet.dup === true }
    if (packet.messageId !== undefined) ingest.messageId = packet.messageId
    // Over the device's rate: wait here (PUBACK later, nothing dropped), see publish-rate-limiter.ts.
    const turn = deps.rateLimiter.acquire(identity.id, client)
    if (turn !== null) await turn
    try {
      // Acknowledged means stored: aedes writes PUBACK/PUBREC only after this resolves.
      await deps.onDevicePublish(identity, ingest)
    } catch (error) {
      logLimiter.line(`ingest|${identity.id}`, 'error', 'durable ingest failed; closing connection without ack', {
        deviceId: identity.id,
        topic: packet.topic,
        error: String(error),
      })
      throw error
    }
  }

  async function authorizeSubscribe(client: Client, sub: Subscription): Promise<Subscription | null> {
    const identity = identityOf(client)
    const problem = utf8StringProblem(sub.topic)
    // [MQTT-1.5.3-1], [MQTT-1.5.3-2]: close the connection (the error makes aedes do so).
    if (problem !== null) throw new Error(`invalid topic filter: ${problem}`)
    let mapped = identity === undefined ? null : mapSubscription(identity, sub.topic)
    const jobId = jobIdOfStatusTopic(sub.topic)
    if (mapped === null && identity !== undefined && jobId !== null && deps.mayWatchJob && (await deps.mayWatchJob(identity, jobId))) {
      mapped = sub.topic
    }
    if (mapped === null) {
      // aedes persists a SUBSCRIBE packet's whole topic list when any entry in it is granted
      // (handlers/subscribe.js storeSubscriptions). QoS 0 keeps a refused entry out of the
      // offline-queue index; on session restore it is refused again.
      sub.qos = 0
      deps.refused.add(sub)
      if (identity !== undefined) logLimiter.line(`subscribe|${identity.id}`, 'warn', 'subscription refused', { deviceId: identity.id, topic: sub.topic })
      return null
    }
    // Rewritten in place: aedes uses this same object for the subscription key, the persisted
    // session and the retained-message lookup. The broker never sends QoS 2 to devices.
    sub.topic = mapped
    sub.qos = Math.min(sub.qos, 1) as 0 | 1
    return sub
  }

  function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const identity = identityOf(client)
    // Job status: only clients whose subscription to it was authorized receive it.
    if (identity !== undefined && jobIdOfStatusTopic(packet.topic) !== null) return packet
    if (identity !== undefined && receivesTeamTopic(identity, packet.topic)) return packet
    const meTopic = identity === undefined ? null : meTopicFor(identity, packet.topic)
    if (meTopic === null) return null
    // In place on purpose: aedes hands each subscriber its own packet copy, and when draining
    // an offline queue it writes the object it passed here, not the one returned.
    packet.topic = meTopic
    return packet
  }

  /**
   * aedes has no hook for UNSUBSCRIBE, so `v1/devices/me/errors` would miss the subscription
   * that was stored as `v1/devices/<id>/errors`. Returns the broker topics to remove for the
   * "me" forms in an UNSUBSCRIBE (topics already in broker form are left to aedes).
   */
  function ownTopicsToUnsubscribe(client: Client, topics: readonly string[]): string[] {
    const identity = identityOf(client)
    if (identity === undefined) return []
    const out: string[] = []
    for (const topic of topics) {
      const mapped = mapSubscription(identity, topic)
      if (mapped !== null && mapped !== topic) out.push(mapped)
    }
    return out
  }

  return {
    identityOf,
    released(conn) {
      const session = sessions.get(conn)
      if (session === undefined) return
      sessions.delete(conn)
      deps.connections.release(session.identity.id, session.sessionKey, session.client)
      deps.rateLimiter.abandon(session.identity.id, session.client)
    },
    ownTopicsToUnsubscribe,
    preConnect(client, packet, done) {
      // The parser would keep the CONNECT (and the device's secret) for the connection's life.
      trimConnectedClient(client, packet)
      preConnect(client, packet.clientId, packet.clean !== false)
      done(null, true)
    },
    authenticate(client, username, password, done) {
      settle(
        () => authenticate(client, username, password),
        (error, ok) => done(error === null ? null : (error as AuthenticateError), ok ?? null),
      )
    },
    authorizePublish(client, packet, done) {
      settle(() => authorizePublish(client, packet), (error) => done(error))
    },
    authorizeSubscribe(client, sub, done) {
      // Answered on a later tick on purpose: aedes asks for every topic of a SUBSCRIBE in one
      // synchronous loop, so all refused entries are neutralised before any entry is persisted.
      settle(() => authorizeSubscribe(client, sub), (error, granted) => done(error, granted ?? null))
    },
    authorizeForward: (client, packet) => authorizeForward(client, packet),
  }
}
