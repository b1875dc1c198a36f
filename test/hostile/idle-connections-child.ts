/**
 * Child process for measure-idle-connections.ts: a broker alone in its process (so the
 * clients' memory is not counted), every user name accepted as its own device. Answers "rss"
 * messages with RSS and heap after a full GC.
 */
import { startBroker } from '../../broker/broker.js'

const broker = await startBroker({
  host: '127.0.0.1',
  port: 0,
  maxPacketBytes: 256 * 1024,
  maxPendingConnections: 1000,
  connectTimeoutMs: 30_000,
  authenticate: async (id) => ({ id, kind: 'meter', bridgeFor: [] }),
  onDevicePublish: async () => {},
})
const gc = (globalThis as { gc?: () => void }).gc
process.on('message', (msg: string) => {
  if (msg === 'rss') {
    gc?.()
    gc?.()
    const m = process.memoryUsage()
    process.send?.({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, connected: broker.stats().connected })
  } else if (msg === 'stop') {
    void broker.close().then(() => process.exit(0))
  }
})
process.send?.({ port: broker.port })
