/**
 * broker: the embedded MQTT broker (aedes, broker/), a host like the HTTP API: before it starts,
 * the ingest hands it what to do with a device's publish and commissioning who may watch a job's
 * status; any started module may publish through it (as the broker: no ACL). It tells the bus
 * when a device connects and disconnects ('device.connected', 'device.disconnected').
 */
import type { BrokerOptions, DevicePublish, RunningBroker } from '../../broker/broker.js'
import { startBroker } from '../../broker/broker.js'
import type { DeviceIdentity } from '../../contract/device-identity.js'
import { listenOrExplain } from '../startup-checks.js'
import type { DevicesModule } from './devices-module.js'
import { GatewayModule, type ModuleContext } from './module.js'

export type PublishHandler = (identity: DeviceIdentity, packet: DevicePublish) => Promise<void>
export type JobWatchRule = NonNullable<BrokerOptions['mayWatchJob']>

export class BrokerModule extends GatewayModule {
  readonly name = 'broker'
  private broker: RunningBroker | undefined
  private onPublish: PublishHandler | undefined
  private mayWatchJob: JobWatchRule | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { devices: DevicesModule },
  ) {
    super(ctx)
  }

  /** What a device's allowed publish goes to (resolving = stored durably; the PUBACK follows). Before start(). */
  handlePublishes(handler: PublishHandler): void {
    this.onPublish = handler
  }

  /** Who may subscribe to a job's live status topic; without it nobody may. Before start(). */
  allowJobWatch(rule: JobWatchRule): void {
    this.mayWatchJob = rule
  }

  get port(): number {
    return this.broker?.port ?? 0
  }

  /** Publishes as the broker; while not running (before start, after stop) it does nothing. */
  publish(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean }): Promise<void> {
    return this.broker?.publish(topic, payload, opts) ?? Promise.resolve()
  }

  health(): Record<string, unknown> {
    return this.broker ? { mqtt: this.broker.stats() } : {}
  }

  protected async open(): Promise<void> {
    const { config, log } = this.ctx
    const onPublish = this.onPublish
    if (!onPublish) throw new Error('no module handles device publishes (the ingest module must start before the broker)')
    const devices = this.deps.devices.registry
    const publishAckPath = this.ctx.metrics.publishAckPath
    this.broker = await listenOrExplain('GW_MQTT_PORT', config.bind, config.mqttPort, () =>
      startBroker({
        host: config.bind,
        port: config.mqttPort,
        maxPacketBytes: config.maxPacketBytes,
        maxPendingConnections: config.maxPendingConnections,
        connectTimeoutMs: config.connectTimeoutMs,
        // Rate and log limits run on wall time (broker default), not on the injected domain clock.
        ...config.brokerLimits,
        authenticate: async (id, secret) => devices.authenticate(id, secret),
        onDevicePublish: async (identity, packet) => {
          const end = publishAckPath.startTimer()
          try {
            await onPublish(identity, packet)
          } finally {
            end()
          }
        },
        ...(this.mayWatchJob ? { mayWatchJob: this.mayWatchJob } : {}),
        log,
      }),
    )
    this.tellConnections(this.broker)
  }

  private tellConnections(broker: RunningBroker): void {
    const { bus, clock } = this.ctx
    // broker/hooks.ts names an authenticated client "<device id>/<client id>", and ids hold no
    // '/' (contract/job.ts IdSchema): a name without one is a client that never authenticated.
    const deviceOf = (client: { id: string }): string | undefined => {
      const slash = client.id.indexOf('/')
      return slash > 0 ? client.id.slice(0, slash) : undefined
    }
    broker.aedes.on('clientReady', (client) => {
      const deviceId = deviceOf(client)
      if (deviceId !== undefined && bus.has('device.connected')) bus.emit('device.connected', { deviceId, at: clock.now() })
    })
    broker.aedes.on('clientDisconnect', (client) => {
      const deviceId = deviceOf(client)
      // aedes sets _disconnected only on a valid DISCONNECT packet, the case in which it skips the will.
      const clean = (client as { _disconnected?: boolean })._disconnected === true
      if (deviceId !== undefined && bus.has('device.disconnected')) bus.emit('device.disconnected', { deviceId, at: clock.now(), clean })
    })
  }

  protected async close(): Promise<void> {
    await this.broker?.close()
  }
}
