/**
 * Telemetry payloads of the bench, pre-built as Buffers before the clock starts so that
 * string building is not part of what is measured. Shapes as in docs/protocol.md; the
 * InfluxDB baseline writes the same values as the points the forwarder makes of them.
 */
export const TELEMETRY_TOPIC = 'v1/devices/me/telemetry'

export type PayloadKind = 'single' | 'eight'

export const READINGS_PER_MESSAGE: Record<PayloadKind, number> = { single: 1, eight: 8 }

/** A plausible value that varies a little with i (all well inside the channels' ranges). */
const wobble = (base: number, spread: number, i: number): string => (base + ((i * 7919) % 1000) / (1000 / spread)).toFixed(1)

/** The readings of message i as `channel=value` pairs. */
function values(kind: PayloadKind, i: number): [string, string][] {
  if (kind === 'single') return [['current_a', wobble(5, 3, i)]]
  return [
    ['pressure_low_kpag', wobble(820, 30, i)],
    ['pressure_high_kpag', wobble(2650, 80, i)],
    ['temp_suction_c', wobble(8, 4, i)],
    ['temp_liquid_c', wobble(36, 4, i)],
    ['temp_supply_air_c', wobble(12, 3, i)],
    ['temp_return_air_c', wobble(24, 2, i)],
    ['current_a', wobble(6, 2, i)],
    ['voltage_v', wobble(228, 6, i)],
  ]
}

export function payload(kind: PayloadKind, ts: number, i: number): string {
  return `{"ts":${ts},"values":{${values(kind, i)
    .map(([k, v]) => `"${k}":${v}`)
    .join(',')}}}`
}

/** `count` payloads with device times tsStart, tsStart+1, … (distinct per device: same point = duplicate). */
export function buildPayloads(kind: PayloadKind, tsStart: number, count: number): Buffer[] {
  const out = new Array<Buffer>(count)
  for (let i = 0; i < count; i++) out[i] = Buffer.from(payload(kind, tsStart + i, i))
  return out
}

/**
 * Message i as the line-protocol point the forwarder writes for it (measurement telemetry,
 * tag device_id, the readings plus lag_s, ms precision): see gateway/sinks/influx/influx-points.ts.
 */
export function telemetryLine(kind: PayloadKind, deviceId: string, ts: number, i: number): string {
  const fields = values(kind, i).map(([k, v]) => `${k}=${v}`)
  return `telemetry,device_id=${deviceId} ${fields.join(',')},lag_s=0.5 ${ts}`
}
