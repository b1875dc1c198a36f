/**
 * QoS 1 throughput: plain aedes vs aedes + packet guard vs the full broker (guard + auth + ACL +
 * an instant onDevicePublish). Not a test (no .test.ts suffix); run with
 *   npx tsx test/broker/bench-packet-guard.ts [messages-per-run] [rounds]
 * Raw sockets pipeline pre-encoded PUBLISHes with a fixed window so the client is not the bottleneck.
 * End-to-end numbers are noisy on a shared machine; the scanner micro-benchmark printed first is
 * the stable measure of what the guard itself costs per packet.
 */
import { type Server, connect, createServer } from 'node:net'
import { Aedes } from 'aedes'
import { startBroker } from '../../broker/broker.js'
import {
  DEFAULT_MAX_CONNECT_BYTES,
  DEFAULT_MAX_PACKET_BYTES,
  MqttFrameScanner,
  guardReadable,
} from '../../broker/packet-guard.js'
import { TOPICS } from '../../contract/topics.js'
import { connectPacket, publishPacket } from './raw-mqtt.js'

const MESSAGES = Number(process.argv[2] ?? 200_000)
const ROUNDS = Number(process.argv[3] ?? 5)
const CONNECTIONS = 4
const WINDOW = 200
const PAYLOAD = '{"ts":1764201600000,"values":{"pressure_low_kpag":812.5,"current_a":7.1}}'

interface Target {
  port: number
  close(): Promise<void>
}

async function plainAedes(guard: boolean): Promise<Target> {
  const aedes = await Aedes.createBroker()
  const server: Server = createServer({ noDelay: true }, (socket) => {
    if (guard) {
      guardReadable(socket, { maxPacketBytes: DEFAULT_MAX_PACKET_BYTES, maxConnectBytes: DEFAULT_MAX_CONNECT_BYTES }, () => {})
    }
    aedes.handle(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        server.close()
        aedes.close(() => resolve())
      }),
  }
}

async function fullBroker(): Promise<Target> {
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
    maxPendingConnections: 1000,
    connectTimeoutMs: 10_000,
    authenticate: async (id) => ({ id, kind: 'meter', bridgeFor: [] }),
    onDevicePublish: async () => {},
  })
  return { port: broker.port, close: () => broker.close() }
}

/** One connection publishing `count` QoS 1 messages with WINDOW in flight; resolves when all are acked. */
function publisher(port: number, index: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    const packets = Array.from({ length: 1024 }, (_, i) => publishPacket(TOPICS.telemetry, PAYLOAD, 1, i + 1))
    let sent = 0
    let acked = 0
    let received = -4 // the 4-byte CONNACK; after it the broker sends only 4-byte PUBACKs
    const send = (n: number): void => {
      const batch: Buffer[] = []
      for (let i = 0; i < n && sent < count; i++) batch.push(packets[sent++ % packets.length] as Buffer)
      if (batch.length > 0) socket.write(Buffer.concat(batch))
    }
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      const before = Math.max(received, 0)
      received += chunk.length
      if (received < 0) return
      if (before === 0 && sent === 0) send(WINDOW)
      const nowAcked = Math.floor(received / 4)
      const fresh = nowAcked - acked
      acked = nowAcked
      if (acked >= count) {
        socket.destroy()
        resolve()
        return
      }
      send(fresh)
    })
    socket.write(connectPacket({ clientId: `bench-${index}`, username: `bench-${index}`, password: 'x' }))
  })
}

async function run(make: () => Promise<Target>): Promise<number> {
  const target = await make()
  const per = Math.floor(MESSAGES / CONNECTIONS)
  const started = performance.now()
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => publisher(target.port, i, per)))
  const seconds = (performance.now() - started) / 1000
  await target.close()
  return (per * CONNECTIONS) / seconds
}

/** The guard's own cost: scanning 64 KiB chunks full of typical telemetry PUBLISHes. */
function scannerCost(): string {
  const packet = publishPacket(TOPICS.telemetry, PAYLOAD, 1, 7)
  const perChunk = Math.floor(65536 / packet.length)
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => packet))
  const scanner = new MqttFrameScanner({ maxPacketBytes: DEFAULT_MAX_PACKET_BYTES, maxConnectBytes: DEFAULT_MAX_CONNECT_BYTES })
  scanner.scan(connectPacket({ clientId: 'x' }))
  const chunks = 5000
  const started = process.hrtime.bigint()
  for (let i = 0; i < chunks; i++) if (scanner.scan(chunk) !== null) throw new Error('unexpected violation')
  const ns = Number(process.hrtime.bigint() - started)
  return `scanner: ${(ns / (chunks * perChunk)).toFixed(1)} ns per ${packet.length}-byte PUBLISH`
}
scannerCost() // warm-up
console.log(scannerCost())

const configs: Array<[string, () => Promise<Target>]> = [
  ['plain aedes', () => plainAedes(false)],
  ['aedes + packet guard', () => plainAedes(true)],
  ['full broker (guard+auth+ACL)', fullBroker],
]
const results = new Map<string, number[]>(configs.map(([name]) => [name, []]))
await run(() => plainAedes(false)) // warm-up (JIT)
for (let round = 0; round < ROUNDS; round++) {
  // rotate the order so no configuration always runs right after the same one (GC debt, JIT)
  for (let k = 0; k < configs.length; k++) {
    const [name, make] = configs[(round + k) % configs.length] as [string, () => Promise<Target>]
    results.get(name)?.push(await run(make))
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const base = median(results.get('plain aedes') ?? [])
console.log(`${MESSAGES} QoS 1 publishes per run, ${CONNECTIONS} connections, window ${WINDOW}, ${ROUNDS} rounds (median)`)
for (const [name, xs] of results) {
  const m = median(xs)
  const all = xs.map((x) => Math.round(x / 1000)).join(' ')
  console.log(`${name.padEnd(30)} ${Math.round(m).toString().padStart(8)} msg/s  ${(m / base).toFixed(2)}x   (k msg/s: ${all})`)
}
