/**
 * The MQTT API as one typed map: each topic, who may publish to it and subscribe to it (by
 * device kind), and the schema of its payload. The broker's ACL (broker/acl.ts) derives its
 * decisions from it, the ingest chooses its parser by it, firmware-sim publishes to its
 * topics, and docs/protocol.md renders its table from it.
 *
 * Deny by default: a device may publish only to a topic whose `publish` names its kind, and
 * subscribe only to one whose `subscribe` does (and then only as the map's `scope` says).
 */
import { z } from 'zod'
import { DEVICE_KINDS, type DeviceKind } from './device-identity.js'
import { AttributesSchema, DeviceConflictNoticeSchema, DeviceErrorMessageSchema, RateLimitNoticeSchema, TelemetryPayloadSchema } from './telemetry.js'
import { TOPICS, deviceErrorTopic } from './topics.js'
import { VerdictSchema } from './verdict.js'

/** Which parser the ingest hands a message on the topic to. */
export type IngestParser = 'telemetry' | 'attributes' | 'bridged-telemetry' | 'bridged-attributes' | 'bridged-connect' | 'bridged-disconnect'

export interface MqttTopic {
  /** As the device writes it ("me" form); `+` stands for one level (a job id). */
  readonly topic: string
  readonly description: string
  /** Device kinds that may publish to it; empty: only the gateway publishes (no ACL applies to it). */
  readonly publish: readonly DeviceKind[]
  /** Device kinds that may subscribe to it. */
  readonly subscribe: readonly DeviceKind[]
  /**
   * Whose messages a subscriber gets: `own` = its own (the broker maps the "me" topic to the
   * device's broker topic, `brokerTopic`); `attached-job` = a job's, if the device (or one
   * it bridges) is attached to the job (the gateway decides, per subscription).
   */
  readonly scope?: 'own' | 'attached-job' | 'team'
  /** The broker-internal topic of one device's "me" topic (scope `own`). */
  readonly brokerTopic?: (deviceId: string) => string
  readonly ingest?: IngestParser
  readonly payload: z.ZodType
  /** The payload in one line, for docs/protocol.md. */
  readonly payloadDoc: string
}

// Devices that report: a service client (a team's) sends nothing and gets only its team's alerts.
const DEVICES = ['meter', 'unit', 'bridge'] as const satisfies readonly DeviceKind[]
/** v1/gateway/connect and v1/gateway/disconnect: which device behind the bridge. */
export const BridgedDeviceSchema = z.object({ device: z.string().min(1).max(256) }).strict()
const BRIDGES = ['bridge'] as const satisfies readonly DeviceKind[]

export const MQTT_API = {
  telemetry: {
    topic: TOPICS.telemetry,
    description: 'A device publishes its own readings.',
    publish: DEVICES,
    subscribe: [],
    ingest: 'telemetry',
    payload: TelemetryPayloadSchema,
    payloadDoc: 'readings, see below',
  },
  attributes: {
    topic: TOPICS.attributes,
    description: 'A device publishes facts about itself (model, serial, calibration due date).',
    publish: DEVICES,
    subscribe: [],
    ingest: 'attributes',
    payload: AttributesSchema,
    payloadDoc: '`{"model": "...", "serial": "...", "calibrationDue": "YYYY-MM-DD"}`',
  },
  gatewayTelemetry: {
    topic: TOPICS.gatewayTelemetry,
    description: 'A bridge publishes readings for the devices it was granted.',
    publish: BRIDGES,
    subscribe: [],
    ingest: 'bridged-telemetry',
    payload: z.record(z.string(), TelemetryPayloadSchema),
    payloadDoc: '`{"meter-7": [{"ts": ..., "values": {...}}]}` for devices the bridge was granted (`bridgeFor`)',
  },
  gatewayAttributes: {
    topic: TOPICS.gatewayAttributes,
    description: 'A bridge publishes attributes for its devices.',
    publish: BRIDGES,
    subscribe: [],
    ingest: 'bridged-attributes',
    payload: z.record(z.string(), AttributesSchema),
    payloadDoc: '`{"meter-7": {"calibrationDue": "..."}}`',
  },
  gatewayConnect: {
    topic: TOPICS.gatewayConnect,
    description: 'A bridge tells that one of its devices is reachable again (ThingsBoard gateway API).',
    publish: BRIDGES,
    subscribe: [],
    ingest: 'bridged-connect',
    payload: BridgedDeviceSchema,
    payloadDoc: '`{"device": "unit-7"}` for a device the bridge was granted',
  },
  gatewayDisconnect: {
    topic: TOPICS.gatewayDisconnect,
    description: 'A bridge tells that one of its devices went away: a unit in service raises "offline" (issue 11).',
    publish: BRIDGES,
    subscribe: [],
    ingest: 'bridged-disconnect',
    payload: BridgedDeviceSchema,
    payloadDoc: '`{"device": "unit-7"}` for a device the bridge was granted',
  },
  errors: {
    topic: TOPICS.errors,
    description: "The gateway answers a device's rejected input, and tells it about conflicting re-sends and its publish rate.",
    publish: [],
    subscribe: DEVICE_KINDS,
    scope: 'own',
    brokerTopic: deviceErrorTopic,
    payload: z.union([DeviceErrorMessageSchema, DeviceConflictNoticeSchema, RateLimitNoticeSchema]),
    payloadDoc: 'the answer to a rejected message, or a notice (subscribe to it)',
  },
  jobStatus: {
    topic: 'v1/jobs/+/status',
    description: "The gateway publishes a job's current verdict, retained, whenever it changes.",
    publish: [],
    subscribe: DEVICES,
    scope: 'attached-job',
    payload: VerdictSchema,
    payloadDoc: "the job's verdict, retained (as `GET /api/v1/jobs/:id/verdict`); for devices attached to the job and bridges of them",
  },
  teamAlerts: {
    topic: 'v1/teams/+/#',
    description:
      "A maintenance team's alerts (issue 11): retained `v1/teams/<team>/alerts/<alertId>` = the alert's current state " +
      '(an empty retained message once it is cleared or moved to another team), and `v1/teams/<team>/events` (QoS 1) = ' +
      "its changes, grouped per the team's rate limit (docs/alerts.md).",
    publish: [],
    subscribe: ['service'],
    scope: 'team',
    payload: z.unknown(),
    payloadDoc: "an alert (JSON), or on events {type, timestamp, data} as the team's webhooks; for service clients of that team only",
  },
} as const satisfies Record<string, MqttTopic>

export type MqttApiName = keyof typeof MQTT_API
const ENTRIES: readonly MqttTopic[] = Object.values(MQTT_API)

// Publish permissions are by exact topic name: a wildcard in a publishable topic would need matching.
for (const e of ENTRIES) {
  if (e.publish.length > 0 && /[+#]/.test(e.topic)) throw new Error(`contract/mqtt-api: publishable topic ${e.topic} has a wildcard`)
  if (e.scope === 'own' && e.brokerTopic === undefined) throw new Error(`contract/mqtt-api: ${e.topic} is scoped 'own' without a broker topic`)
}

// Unknown kinds (not in DEVICE_KINDS) get nothing: deny by default.
const NONE: ReadonlySet<string> = new Set()
const NO_SUBSCRIPTIONS: ReadonlyMap<string, (deviceId: string) => string> = new Map()
const PUBLISH_BY_KIND = new Map<DeviceKind, ReadonlySet<string>>(DEVICE_KINDS.map((k) => [k, new Set(ENTRIES.filter((e) => e.publish.includes(k)).map((e) => e.topic))]))
const OWN_BY_KIND = new Map<DeviceKind, ReadonlyMap<string, (deviceId: string) => string>>(
  DEVICE_KINDS.map((k) => [k, new Map(ENTRIES.filter((e) => e.scope === 'own' && e.subscribe.includes(k)).map((e) => [e.topic, e.brokerTopic!] as const))]),
)
const INGEST_BY_TOPIC = new Map<string, IngestParser>(ENTRIES.filter((e) => e.ingest !== undefined).map((e) => [e.topic, e.ingest!]))

/** Topics a device of this kind may publish to (exact names). */
export function publishTopicsOf(kind: DeviceKind): ReadonlySet<string> {
  return PUBLISH_BY_KIND.get(kind) ?? NONE
}

/** The "me" topics a device of this kind may subscribe to, each with its broker-internal topic. */
export function ownSubscriptionsOf(kind: DeviceKind): ReadonlyMap<string, (deviceId: string) => string> {
  return OWN_BY_KIND.get(kind) ?? NO_SUBSCRIPTIONS
}

/** Every "me" topic the broker maps to a device's own topic, whatever the kind (for delivery). */
export const OWN_TOPICS: ReadonlyMap<string, (deviceId: string) => string> = new Map(
  ENTRIES.filter((e) => e.scope === 'own').map((e) => [e.topic, e.brokerTopic!] as const),
)

/** Topics of a team's alerts: v1/teams/<team>/... (teams-config.ts ids hold no '/' or wildcard). */
export const teamTopicPrefix = (team: string): string => `v1/teams/${team}/`

/**
 * May a service client of `team` subscribe to `filter`? Only filters inside its own team's
 * prefix: wildcards after the literal prefix cannot reach another team ([MQTT-4.7.1]).
 */
export function isTeamFilter(team: string, filter: string): boolean {
  return filter.startsWith(teamTopicPrefix(team)) && filter.length > teamTopicPrefix(team).length
}

/** The parser the ingest uses for a message on `topic`, or undefined (no device publishes there). */
export function ingestParserOf(topic: string): IngestParser | undefined {
  return INGEST_BY_TOPIC.get(topic)
}
