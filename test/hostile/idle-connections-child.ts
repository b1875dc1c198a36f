/**
 * Child process for measure-idle-connections.ts: a broker alone in its process (so the
 * clients' memory is not counted), every user name accepted as its own device. Answers "rss"
 * messages with RSS and heap after a full GC (RSS once the freed pages are back with the OS).
 */
import { getHeapSpaceStatistics } from 'node:v8'
import { startBroker } from '../../broker/broker.js'
import { stableRss } from '../helpers/stable-rss.js'

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

process.on('message', async (msg: string) => {
  if (msg === 'rss') {
    gc?.()
    gc?.()
    const m = process.memoryUsage()
    // The young generation grows under allocation (up to 2 x 16 MB semi-spaces) and stays that size until V8's memory reducer shrinks it.
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
    process.send?.({ rss: await stableRss(), heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, young, connected: broker.stats().connected })
  } else if (msg === 'stop') {
    void broker.close().then(() => process.exit(0))
  }
})
process.send?.({ port: broker.port })
