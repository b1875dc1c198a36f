/**
 * Who is on the other end of an MQTT connection, as decided by the gateway's device registry.
 * The broker never sees secrets at rest: hashing and the constant-time compare live in the registry.
 */
/**
 * What a registered device is: a meter (gauges, clamps, probes), the unit itself, a bridge
 * speaking for others, or a maintenance team's service client (issue 11: it only subscribes
 * to its team's alert topics, v1/teams/<team>/#).
 */
export const DEVICE_KINDS = ['meter', 'unit', 'bridge', 'service'] as const
export type DeviceKind = (typeof DEVICE_KINDS)[number]

export interface DeviceIdentity {
  id: string
  kind: DeviceKind
  /** Device ids a bridge may publish for on v1/gateway/*; checked by the gateway, not the broker. */
  bridgeFor: readonly string[]
  /** A service client's team (teams-config.ts id): the only v1/teams/<team>/# it may subscribe to. */
  team?: string
}

/** username = device id, password = device secret (ThingsBoard "basic MQTT credentials"). null = unknown or wrong. */
export type Authenticate = (deviceId: string, secret: Buffer) => Promise<DeviceIdentity | null>

/**
 * A device id becomes one level of a broker topic (`v1/devices/<id>/errors`) and the prefix of its
 * MQTT session key, so it must be a single, literal topic level [MQTT-4.7.1]: no `/`, no wildcards,
 * no NUL, not `$`-prefixed, and not `me` (the alias every device uses for itself).
 */
export function isUsableDeviceId(id: string): boolean {
  if (id.length === 0 || id.length > 256 || id === 'me' || id.startsWith('$')) return false
  return !/[/+#\u0000]/.test(id)
}
