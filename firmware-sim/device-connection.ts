/**
 * One simulated device's MQTT session: its own credentials (username = device id,
 * password = secret), a clean session, QoS 1 publishes that resolve on the PUBACK. No
 * automatic reconnect: a dropped connection fails the run loudly instead of quietly
 * replaying, so what the gateway saw is exactly what the timeline says.
 */
import { connectAsync, type MqttClient } from 'mqtt'
import { MQTT_API } from '../contract/mqtt-api.js'
import type { DeviceCredentials } from './http-client.js'

export interface DeviceConnectionOptions {
  /** Per CONNACK and per PUBACK; default 10 s. */
  timeoutMs?: number
  /** Called with each answer the gateway sends on the device's error topic. */
  onGatewayError?: (deviceId: string, message: string) => void
}

export class DeviceConnection {
  private closing = false

  private constructor(
    readonly deviceId: string,
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {}

  static async connect(url: string, creds: DeviceCredentials, opts: DeviceConnectionOptions = {}): Promise<DeviceConnection> {
    const timeoutMs = opts.timeoutMs ?? 10_000
    let client: MqttClient
    try {
      client = await connectAsync(
        url,
        {
          clientId: creds.id,
          username: creds.id,
          password: creds.secret,
          clean: true,
          protocolVersion: 4, // MQTT 3.1.1, as ThingsBoard-style firmware speaks
          reconnectPeriod: 0,
          connectTimeout: timeoutMs,
        },
        false,
      )
    } catch (err) {
      throw new Error(`device ${creds.id}: MQTT connect to ${url} failed: ${err instanceof Error ? err.message : String(err)}`)
    }
    const conn = new DeviceConnection(creds.id, client, timeoutMs)
    // Without a listener an 'error' event would crash the process; failures surface on publish.
    client.on('error', () => undefined)
    if (opts.onGatewayError) {
      const report = opts.onGatewayError
      // The only subscription; the broker may deliver it under the "me" or the internal topic name.
      client.on('message', (_topic, payload) => report(creds.id, payload.toString('utf8')))
      // The ACL may refuse it (SUBACK 0x80); reports are a nicety, so that is not fatal.
      await client.subscribeAsync(MQTT_API.errors.topic, { qos: 0 }).catch(() => undefined)
    }
    return conn
  }

  /** Publishes to v1/devices/me/telemetry at QoS 1; resolves when the broker's PUBACK arrives. */
  publishTelemetry(payload: string): Promise<void> {
    return this.publish(MQTT_API.telemetry.topic, payload)
  }

  /** Publishes the device's facts about itself (model, serial, calibration due date) to v1/devices/me/attributes. */
  publishAttributes(payload: string): Promise<void> {
    return this.publish(MQTT_API.attributes.topic, payload)
  }

  /** Publishes to any topic the device may publish to (a bridge's v1/gateway/*) at QoS 1; resolves on the PUBACK. */
  publishTo(topic: string, payload: string): Promise<void> {
    return this.publish(topic, payload)
  }

  /**
   * Kills the TCP connection without DISCONNECT, as a power cut or a router reboot does:
   * for the broker this is an ungraceful close, so the device's last will applies
   * [MQTT-3.1.2-8]. The connection is unusable afterwards; connect again for a new one.
   */
  async drop(): Promise<void> {
    if (this.closing) return
    this.closing = true
    const closed = new Promise<void>((resolve) => (this.client.connected ? this.client.once('close', () => resolve()) : resolve()))
    this.client.stream.destroy()
    await closed
    // No reconnect (reconnectPeriod 0); end() only releases the client's timers now.
    this.client.end(true)
  }

  private publish(topic: string, payload: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.client.connected) {
        reject(new Error(`device ${this.deviceId}: not connected`))
        return
      }
      let done = false
      const finish = (err?: Error): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        this.client.off('close', onClose)
        if (err) reject(err)
        else resolve()
      }
      const onClose = (): void => finish(new Error(`device ${this.deviceId}: connection closed before the PUBACK`))
      const timer = setTimeout(
        () => finish(new Error(`device ${this.deviceId}: no PUBACK within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      )
      this.client.once('close', onClose)
      this.client.publish(topic, payload, { qos: 1 }, (err) => finish(err ?? undefined))
    })
  }

  /** Disconnects cleanly; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    await this.client.endAsync()
  }
}
