/**
 * `conns`: resident memory per idle device connection. N devices registered over the HTTP API
 * (parallel requests), then connected once each from 127.0.0.2-127.0.0.9 by a separate load
 * process (conn-load.ts: raw sockets, waves that wait for every CONNACK), either all at once
 * (`burst`: 10,000 devices reconnecting after a restart) or in CONN_STEPS equal parts with a second
 * of idle between (`steps`: a fleet coming online); the gateway child's RSS after a full GC is
 * read before and after each part, and the figure is the least-squares slope of RSS over
 * connections (RSS read once V8 has handed back what the GC freed: server.ts stableRss). The
 * burst also counts the old-generation fragmentation that 10,000 handshakes at once leave behind
 * a forced GC (about 87 MB committed for 68 MB used) and some malloc; the steps show the steady
 * cost of an idle connection. Both are reported. Target (issue 8): at most 10 KB each.
 *
 * The forced GC only stands for what the gateway does by itself: a third run (`unforced`)
 * makes the same burst and then only watches RSS, with no forced GC, for up to
 * UNFORCED_WATCH_S; V8's memory reducer collects and compacts after the allocation stops
 * (it shrinks the young generation too, which the forced "before" still holds), so the
 * lowest RSS it reaches by itself is reported next to the forced figures.
 */
import { leastSquaresSlope } from '../../rules/faults/refrigerant-trend.js'
import type { ConnectManyResult, ConnLoadApi } from './conn-load.js'
import { spawnChild, type ChildHandle } from './ipc.js'
import type { Track } from './job-scenarios.js'
import type { ServerApi } from './server.js'

export const CONN_TARGET_BYTES = 10 * 1024

export interface ConnOutcome {
  /** Connections opened in this many parts (1 = all at once). */
  steps: number
  devices: number
  registerMs: number
  connect: ConnectManyResult
  /** Connections aedes counted, and sockets the load still had open, once all were made. */
  brokerClients: number
  stillOpen: number
  rssBefore: number
  rssAfter: number
  /** The young generation's committed size at `before` (V8 new_space). */
  youngBefore: number
  heapBefore: number
  heapAfter: number
  /** Slope of RSS and of JS heap over the connections (bytes per connection). */
  perConnBytes: number
  perConnHeapBytes: number
  /** The plain (after - before) / n, for comparison. */
  perConnBytesTwoPoint: number
  /** Only in the `unforced` run: what RSS did with no forced GC after the burst. */
  unforced?: UnforcedWatch
}

export interface UnforcedWatch {
  /** RSS and JS heap (garbage included) a second after the last CONNACK. */
  rssFirst: number
  heapFirst: number
  /** The lowest RSS the gateway came down to by itself, and when (seconds after the first sample). */
  rssLowest: number
  lowestAtS: number
  heapAtLowest: number
  watchedS: number
  /** The young generation's committed size after the watch (the memory reducer shrinks it). */
  youngAfter: number
  /** (RSS 1 s after - before) / connections: the handshakes' garbage included. */
  perConnBytesFirst: number
  /**
   * (lowest RSS - before) / connections, with what the young generation shrank by taken out of
   * `before` too: the forced-GC "before" still holds the young generation at its largest, and
   * comparing a shrunk heap with it would credit the connections with the shrink. Still a
   * little favourable: the memory reducer also compacts the old generation, which the forced
   * "before" did not get.
   */
  perConnBytesLowest: number
}

/** How long the `unforced` run watches RSS at most (the memory reducer came 24-54 s after such a burst). */
export const UNFORCED_WATCH_S = 60

/** The `steps` run opens its connections in this many equal parts, memory read after each. */
export const CONN_STEPS = 5

/** Bytes per connection: the least-squares slope of a memory figure over the connections made. */
const perConnection = (points: readonly { x: number; y: number }[]): number => leastSquaresSlope(points) ?? 0

const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9']
/** Connections opened at once: 25 per source address pending at most. */
const WAVE = 200
/** Registration requests in flight. */
export const PARALLEL = 32

/**
 * Samples RSS (no GC) once a second until the heap has shed most of the burst's garbage by
 * itself and RSS has stayed put for 5 s, or for `maxS`.
 */
async function watchUnforced(server: ChildHandle<ServerApi>, maxS: number): Promise<Omit<UnforcedWatch, 'youngAfter' | 'perConnBytesFirst' | 'perConnBytesLowest'>> {
  const t0 = performance.now()
  const since = (): number => Math.round((performance.now() - t0) / 1000)
  const first = await server.call('sample', null)
  const w = { rssFirst: first.rss, heapFirst: first.heapUsed, rssLowest: first.rss, lowestAtS: 0, heapAtLowest: first.heapUsed, watchedS: 0 }
  let steadyS = 0
  let collected = false
  while (since() < maxS && !(collected && steadyS >= 5)) {
    await new Promise((r) => setTimeout(r, 1000))
    const s = await server.call('sample', null)
    collected ||= s.heapUsed < 0.8 * first.heapUsed
    steadyS = Math.abs(s.rss - w.rssLowest) < 1024 * 1024 ? steadyS + 1 : 0
    if (s.rss < w.rssLowest) Object.assign(w, { rssLowest: s.rss, lowestAtS: since(), heapAtLowest: s.heapUsed })
  }
  w.watchedS = since()
  return w
}

/** `steps` parts (1 = all at once); `unforced`: one burst, then RSS watched with no forced GC. */
export async function runIdleConnections(track: Track, scale: number, steps: number, unforced = false): Promise<ConnOutcome> {
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
    const samples = [{ connections: 0, ...before }]
    const connect: ConnectManyResult = { connected: 0, failed: {}, ms: 0 }
    let after = before
    for (let step = 0; step < steps; step++) {
      const part = creds.slice(Math.floor((step * creds.length) / steps), Math.floor(((step + 1) * creds.length) / steps))
      const made = await load.call('connectMany', { host: url.hostname, port: Number(url.port), creds: part, sources: SOURCES, wave: WAVE, keepaliveS: 600 }, 300_000)
      connect.connected += made.connected
      connect.ms += made.ms
      for (const [why, k] of Object.entries(made.failed)) connect.failed[why] = (connect.failed[why] ?? 0) + k
      // Idle for a moment: whatever the gateway does per connection after CONNACK is done.
      await new Promise((r) => setTimeout(r, 1000))
      if (unforced) break
      after = await server.call('settledRss', null)
      samples.push({ connections: connect.connected, ...after })
    }
    let watch: UnforcedWatch | undefined
    if (unforced) {
      const seen = await watchUnforced(server, UNFORCED_WATCH_S)
      // Only for the broker's count and the young generation's size (a GC does not resize it).
      const end = await server.call('settledRss', null)
      const shrunk = Math.max(0, before.youngBytes - end.youngBytes)
      const n = Math.max(1, connect.connected)
      watch = {
        ...seen,
        youngAfter: end.youngBytes,
        perConnBytesFirst: (seen.rssFirst - before.rss) / n,
        perConnBytesLowest: (seen.rssLowest - (before.rss - shrunk)) / n,
      }
      after = { ...end, rss: seen.rssLowest, heapUsed: seen.heapAtLowest }
      samples.push({ connections: connect.connected, ...after })
    }
    const stillOpen = await load.call('stillOpen', null)
    await load.call('closeAll', null)
    await server.call('stop', null)
    const n = Math.max(1, connect.connected)
    return {
      steps,
      devices,
      registerMs,
      connect,
      brokerClients: after.connectedClients,
      stillOpen,
      rssBefore: before.rss,
      youngBefore: before.youngBytes,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      perConnBytes: perConnection(samples.map((m) => ({ x: m.connections, y: m.rss }))),
      perConnHeapBytes: perConnection(samples.map((m) => ({ x: m.connections, y: m.heapUsed }))),
      perConnBytesTwoPoint: (after.rss - before.rss) / n,
      ...(watch !== undefined ? { unforced: watch } : {}),
    }
  } finally {
    await load.close()
    await server.close()
  }
}
