/**
 * The teams' MQTT topics as an outbox sink (sink 'alert-mqtt', key = team): each row is one
 * publish through the embedded broker, in order: the retained state of an alert
 * (v1/teams/<team>/alerts/<id>) and the events (v1/teams/<team>/events, QoS 1). While the
 * broker is not running the publish fails and the rows wait (nothing is dropped at a restart).
 */
import type { OutboxRow, Sink } from '../../outbox/outbox.js'

export const ALERT_MQTT_SINK = 'alert-mqtt'

export interface MqttRow {
  topic: string
  payload: string
  retain: boolean
}

export type BrokerPublish = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }) => Promise<void>

function parseMqttRow(payload: string | null): MqttRow {
  const v: unknown = payload === null ? null : JSON.parse(payload)
  if (typeof v !== 'object' || v === null || typeof (v as MqttRow).topic !== 'string' || typeof (v as MqttRow).payload !== 'string') {
    throw new Error('alert-mqtt outbox row has no topic and payload')
  }
  return v as MqttRow
}

export class MqttSink implements Sink {
  readonly name = ALERT_MQTT_SINK

  constructor(
    private readonly publish: BrokerPublish,
    private readonly ack: (id: number) => void,
  ) {}

  async deliver(rows: readonly OutboxRow[]): Promise<void> {
    for (const row of rows) {
      const m = parseMqttRow(row.payload)
      await this.publish(m.topic, m.payload, { qos: 1, retain: m.retain })
      this.ack(row.id)
    }
  }
}
