/**
 * A real broker on 127.0.0.1:0 with a Map-backed device registry and a recording ingest.
 * (The real registry, with hashed secrets, lives in the gateway.)
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { type BrokerOptions, type DeviceIdentity, type DevicePublish, type RunningBroker, startBroker } from '../../broker/broker.js'

export const DEVICES: ReadonlyMap<string, { secret: string; identity: DeviceIdentity }> = new Map([
  ['meter-1', { secret: 's3cret-1', identity: { id: 'meter-1', kind: 'meter', bridgeFor: [] } }],
  ['meter-2', { secret: 's3cret-2', identity: { id: 'meter-2', kind: 'meter', bridgeFor: [] } }],
  ['unit-1', { secret: 's3cret-u', identity: { id: 'unit-1', kind: 'unit', bridgeFor: [] } }],
  ['bridge-1', { secret: 's3cret-b', identity: { id: 'bridge-1', kind: 'bridge', bridgeFor: ['meter-1'] } }],
])

export interface Ingested {
  identity: DeviceIdentity
  packet: DevicePublish
}

export interface Harness {
  broker: RunningBroker
  port: number
  ingested: Ingested[]
  /** Replaces what onDevicePublish does after recording the call (default: resolve at once). */
  ingest: (call: Ingested) => Promise<void>
  /** Resolves once at least `n` publishes reached onDevicePublish. */
  waitForIngest(n: number): Promise<void>
  connect(deviceId: string, opts?: IClientOptions & { secret?: string }): Promise<MqttClient>
  close(): Promise<void>
}

export async function startHarness(overrides: Partial<BrokerOptions> = {}): Promise<Harness> {
  const ingested: Ingested[] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const clients: MqttClient[] = []
  let harness: Harness | undefined

  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    maxPacketBytes: 256 * 1024,
    maxPendingConnections: 100,
    connectTimeoutMs: 5_000,
    async authenticate(deviceId, secret) {
      const device = DEVICES.get(deviceId)
      return device !== undefined && secret.equals(Buffer.from(device.secret)) ? device.identity : null
    },
    async onDevicePublish(identity, packet) {
      const call = { identity, packet }
      ingested.push(call)
      for (const w of waiters.filter((w) => ingested.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
      await harness?.ingest(call)
    },
    ...overrides,
  })

  harness = {
    broker,
    port: broker.port,
    ingested,
    ingest: async () => {},
    waitForIngest(n) {
      if (ingested.length >= n) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ n, resolve }))
    },
    async connect(deviceId, opts = {}) {
      const { secret = DEVICES.get(deviceId)?.secret, ...rest } = opts
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
        clientId: `${deviceId}-${clients.length}`,
        username: deviceId,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...rest,
      })
      client.on('error', () => {}) // a test that expects a drop watches 'close' instead
      clients.push(client)
      return client
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)))
      await broker.close()
    },
  }
  return harness
}

/** Resolves when the client's connection is gone. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve()
    client.once('close', () => resolve())
  })
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
