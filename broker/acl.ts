/**
 * Topic ACL: pure functions over the contract in contract/topics.ts. Deny by default.
 *
 * Devices speak in the "me" form (ThingsBoard device API). Inside the broker every "me"
 * subscription becomes the device's own topic (v1/devices/me/errors → v1/devices/<id>/errors)
 * so the gateway can address one device; on delivery the topic is written back to the "me" form.
 */
import {
  BRIDGE_PUBLISH_TOPICS,
  DEVICE_PUBLISH_TOPICS,
  DEVICE_SUBSCRIBE_TOPICS,
  TOPICS,
  deviceErrorTopic,
} from '../contract/topics.js'
import type { DeviceIdentity } from '../contract/device-identity.js'

const SYS_PREFIX = '$SYS/'

/** "me" topic → the broker-internal topic of one device. */
const OWN_TOPIC: ReadonlyMap<string, (deviceId: string) => string> = new Map([[TOPICS.errors, deviceErrorTopic]])

// Fail at start-up, not in production traffic, if the contract grows a subscribable topic
// that the broker does not know how to map.
for (const topic of DEVICE_SUBSCRIBE_TOPICS) {
  if (!OWN_TOPIC.has(topic)) throw new Error(`broker/acl: no broker topic mapping for subscribable topic ${topic}`)
}

/** May this identity publish to `topic`? Exact topic names only; `$SYS/` never (aedes #597). */
export function canPublish(identity: DeviceIdentity, topic: string): boolean {
  if (topic.startsWith(SYS_PREFIX)) return false
  const allowed = identity.kind === 'bridge' ? BRIDGE_PUBLISH_TOPICS : DEVICE_PUBLISH_TOPICS
  return allowed.has(topic)
}

/**
 * The broker topic a subscription is turned into, or null (refused: SUBACK 0x80).
 * Accepted: the "me" forms in DEVICE_SUBSCRIBE_TOPICS, and the device's own broker topic itself
 * (aedes re-authorizes the stored, already-mapped topic when it restores a persistent session).
 * Wildcards, `$SYS/`, other devices' topics and everything else: null.
 */
export function mapSubscription(identity: DeviceIdentity, topic: string): string | null {
  const own = OWN_TOPIC.get(topic)
  if (own !== undefined && DEVICE_SUBSCRIBE_TOPICS.has(topic)) return own(identity.id)
  return meTopicFor(identity, topic) === null ? null : topic
}

/**
 * Inverse of mapSubscription, used when delivering: the "me" form of one of this identity's own
 * broker topics, or null when the topic is not this identity's (then it must not be delivered).
 */
export function meTopicFor(identity: DeviceIdentity, brokerTopic: string): string | null {
  for (const [meTopic, own] of OWN_TOPIC) {
    if (own(identity.id) === brokerTopic) return meTopic
  }
  return null
}
