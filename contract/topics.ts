/**
 * MQTT topics of the device API (ThingsBoard-compatible) and of the gateway's own answers.
 * The broker's ACL, the ingest and firmware-sim all use these names.
 */
export const TOPICS = {
  /** A device publishes its own readings. */
  telemetry: 'v1/devices/me/telemetry',
  /** A device publishes facts about itself (model, serial, calibration due date). */
  attributes: 'v1/devices/me/attributes',
  /** A bridge publishes readings for the devices it was granted: {"meter-7": [{ts, values}]}. */
  gatewayTelemetry: 'v1/gateway/telemetry',
  /** A bridge publishes attributes for its devices: {"meter-7": {"calibrationDue": "..."}}. */
  gatewayAttributes: 'v1/gateway/attributes',
  /** The gateway answers a device's rejected input here; the device subscribes to it as "me". */
  errors: 'v1/devices/me/errors',
} as const

export type PublishTopic = (typeof TOPICS)[keyof Omit<typeof TOPICS, 'errors'>]

/** Topics a device may publish to; everything else is refused (deny by default). */
export const DEVICE_PUBLISH_TOPICS: ReadonlySet<string> = new Set([TOPICS.telemetry, TOPICS.attributes])
export const BRIDGE_PUBLISH_TOPICS: ReadonlySet<string> = new Set([
  TOPICS.telemetry,
  TOPICS.attributes,
  TOPICS.gatewayTelemetry,
  TOPICS.gatewayAttributes,
])

/** Topics a device may subscribe to, as written by the device ("me" form). */
export const DEVICE_SUBSCRIBE_TOPICS: ReadonlySet<string> = new Set([TOPICS.errors])

/** The broker-internal topic a device's "me" error subscription is mapped to. */
export function deviceErrorTopic(deviceId: string): string {
  return `v1/devices/${deviceId}/errors`
}

/**
 * Live feedback for a job: the gateway publishes the job's current verdict here, retained,
 * whenever it changes. Devices attached to the job (the installer's bridge) may subscribe.
 */
export function jobStatusTopic(jobId: string): string {
  return `v1/jobs/${jobId}/status`
}

const JOB_STATUS = /^v1\/jobs\/([^/+#]+)\/status$/

/** The job id of a job status topic, or null when the topic is not one. */
export function jobIdOfStatusTopic(topic: string): string | null {
  return JOB_STATUS.exec(topic)?.[1] ?? null
}
