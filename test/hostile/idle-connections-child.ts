/**
 * Child process for measure-idle-connections.ts: a broker alone in its process (so the
 * clients' memory is not counted), every user name accepted as its own device. Answers "rss"
 * messages with RSS and heap after a full GC (RSS once the freed pages are back with the OS).
 */
import { getHeapSpaceStatistics } from 'node:v8'
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

/**
 * RSS once it has stopped falling: V8 returns what a GC freed to the OS from background threads
 * shortly after the GC (a read at once after gc() showed 42 MB more than 25 ms later after
 * 10,000 connections). Four reads 50 ms apart within 512 KiB; at most 3 s.
 */
async function stableRss(): Promise<number> {
  let last = process.memoryUsage.rss()
  for (let steady = 0, waited = 0; steady < 4 && waited < 3000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50))
    const now = process.memoryUsage.rss()
    steady = Math.abs(now - last) < 512 * 1024 ? steady + 1 : 0
    last = now
  }
  return last
}

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
