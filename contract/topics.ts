/**
 * Names of the MQTT topics of the device API (ThingsBoard-compatible) and of the gateway's own
 * answers. Who may publish and subscribe to each, and its payload, is in contract/mqtt-api.ts.
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
  /** A bridge tells that a device behind it came back / went away (ThingsBoard gateway API): {"device": "unit-7"}. */
  gatewayConnect: 'v1/gateway/connect',
  gatewayDisconnect: 'v1/gateway/disconnect',
  /** The gateway answers a device's rejected input here; the device subscribes to it as "me". */
  errors: 'v1/devices/me/errors',
} as const

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
