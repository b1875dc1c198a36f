/**
 * Topic ACL: pure functions over the MQTT API map in contract/mqtt-api.ts. Deny by default.
 *
 * Devices speak in the "me" form (ThingsBoard device API). Inside the broker every "me"
 * subscription becomes the device's own topic (v1/devices/me/errors → v1/devices/<id>/errors)
 * so the gateway can address one device; on delivery the topic is written back to the "me" form.
 * Job status subscriptions (scope 'attached-job') are decided per job by the gateway (hooks.ts).
 */
import { isTeamFilter, OWN_TOPICS, ownSubscriptionsOf, publishTopicsOf, teamTopicPrefix } from '../contract/mqtt-api.js'
import type { DeviceIdentity } from '../contract/device-identity.js'

const SYS_PREFIX = '$SYS/'

/** May this identity publish to `topic`? Exact topic names only; `$SYS/` never (aedes #597). */
export function canPublish(identity: DeviceIdentity, topic: string): boolean {
  if (topic.startsWith(SYS_PREFIX)) return false
  return publishTopicsOf(identity.kind).has(topic)
}

/**
 * The broker topic a subscription is turned into, or null (refused: SUBACK 0x80).
 * Accepted: the "me" topics the map lets this kind subscribe to, and the device's own broker
 * topic itself (aedes re-authorizes the stored, already-mapped topic when it restores a
 * persistent session). Wildcards, `$SYS/`, other devices' topics and everything else: null.
 */
export function mapSubscription(identity: DeviceIdentity, topic: string): string | null {
  // A team's service client: its own team's alert topics, as they are (not device topics).
  if (identity.kind === 'service' && identity.team !== undefined && isTeamFilter(identity.team, topic)) return topic
  const own = ownSubscriptionsOf(identity.kind).get(topic)
  if (own !== undefined) return own(identity.id)
  return meTopicFor(identity, topic) === null ? null : topic
}

/** May this identity be sent `brokerTopic`, a team alert topic? Only a service client of that team. */
export function receivesTeamTopic(identity: DeviceIdentity, brokerTopic: string): boolean {
  return identity.kind === 'service' && identity.team !== undefined && brokerTopic.startsWith(teamTopicPrefix(identity.team))
}

/**
 * Inverse of mapSubscription, used when delivering: the "me" form of one of this identity's own
 * broker topics, or null when the topic is not this identity's (then it must not be delivered).
 */
export function meTopicFor(identity: DeviceIdentity, brokerTopic: string): string | null {
  for (const [meTopic, own] of OWN_TOPICS) {
    if (own(identity.id) === brokerTopic) return meTopic
  }
  return null
}
