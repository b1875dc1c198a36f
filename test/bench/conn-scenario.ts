/**
 * `conns`: resident memory per idle device connection. N devices registered over the HTTP API
 * (parallel requests), then connected once each from 127.0.0.2-127.0.0.9 by a separate load
 * process (conn-load.ts: raw sockets, waves that wait for every CONNACK); the gateway child's
 * RSS after a full GC, before and after, divided by N. Target (issue 8): at most 10 KB each.
 */
import type { ConnectManyResult, ConnLoadApi } from './conn-load.js'
import { spawnChild } from './ipc.js'
import type { Track } from './job-scenarios.js'
import type { ServerApi } from './server.js'

export const CONN_TARGET_BYTES = 10 * 1024

export interface ConnOutcome {
  devices: number
  registerMs: number
  connect: ConnectManyResult
  /** Connections aedes counted, and sockets the load still had open, once all were made. */
  brokerClients: number
  stillOpen: number
  rssBefore: number
  rssAfter: number
  heapBefore: number
  heapAfter: number
  perConnBytes: number
  perConnHeapBytes: number
}

const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9']
/** Connections opened at once: 25 per source address pending at most. */
const WAVE = 200
/** Registration requests in flight. */
export const PARALLEL = 32

export async function runIdleConnections(track: Track, scale: number): Promise<ConnOutcome> {
  const server = track(spawnChild<ServerApi>('./server.ts', 'server:conns', ['--expose-gc']))
  const load = track(spawnChild<ConnLoadApi>('./conn-load.ts', 'conn-load:conns'))
  try {
    const devices = Math.max(500, Math.round(10_000 * Math.min(1, scale)))
    const start = await server.call('start', { mode: 'gateway', sync: 'normal', devices: 0 })
    const t0 = performance.now()
    if (!start.http) throw new Error('the gateway gave no HTTP address')
    const creds = await load.call('register', { httpUrl: start.http.url, token: start.http.token, prefix: 'bench-idle-', count: devices, parallel: PARALLEL }, 300_000)
    const registerMs = performance.now() - t0
    const url = new URL(start.url)
    // Warm-up: a few connections made and dropped, so code paths and pools are not counted.
    await load.call('connectMany', { host: url.hostname, port: Number(url.port), creds: creds.slice(0, 50), sources: SOURCES, wave: 50, keepaliveS: 600 })
    await load.call('closeAll', null)
    await new Promise((r) => setTimeout(r, 500))
    const before = await server.call('settledRss', null)
    const connect = await load.call('connectMany', { host: url.hostname, port: Number(url.port), creds, sources: SOURCES, wave: WAVE, keepaliveS: 600 }, 300_000)
    // Idle for a moment: whatever the gateway does per connection after CONNACK is done.
    await new Promise((r) => setTimeout(r, 1000))
    const after = await server.call('settledRss', null)
    const stillOpen = await load.call('stillOpen', null)
    await load.call('closeAll', null)
    await server.call('stop', null)
    const n = Math.max(1, connect.connected)
    return {
      devices,
      registerMs,
      connect,
      brokerClients: after.connectedClients,
      stillOpen,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      perConnBytes: (after.rss - before.rss) / n,
      perConnHeapBytes: (after.heapUsed - before.heapUsed) / n,
    }
  } finally {
    await load.close()
    await server.close()
  }
}
