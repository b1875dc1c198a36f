/**
 * Shared by the hostile-connection corpus: raw socket floods from chosen loopback addresses,
 * and the check every case ends with: a device connected BEFORE the attack and one connecting
 * AFTER it are both still served at QoS 1 (PUBACK), and the process RSS grew by less than a bound.
 */
import { type Socket, connect } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { MqttClient } from 'mqtt'
import { expect } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import type { Harness } from '../broker/harness.js'

/**
 * RSS growth allowed per case. Generous on purpose: it must not fail on a slow or busy machine,
 * only when a case leaks in proportion to the attack (the floods here are 1,000-2,000 sockets,
 * the payload cases 256 KiB x hundreds: a per-item leak would be far above it).
 */
export const RSS_BOUND_BYTES = 50 * 1024 * 1024

// A full collection before each RSS reading, so garbage is not counted as growth.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

export function settledRss(): number {
  gc()
  gc()
  return process.memoryUsage().rss
}

export interface Flood {
  /** Sockets currently open (from the client side). */
  readonly open: Set<Socket>
  /** Sockets opened so far, reopened ones included. */
  opened(): number
  /** Closes everything and stops reopening. */
  stop(): void
}

/**
 * Opens `count` idle TCP connections from `localAddress` (127.0.0.2-127.0.0.9 all reach the
 * loopback listener), `batch` at a time. With `reopen`, every socket the server closes is
 * replaced at once, up to `maxReopens`: an attacker who keeps the pending slots full.
 * `send`, if given, is written once on connect (e.g. the first bytes of a CONNECT).
 */
export async function openFlood(
  port: number,
  localAddress: string,
  count: number,
  opts: { reopen?: boolean; maxReopens?: number; send?: Buffer; batch?: number } = {},
): Promise<Flood> {
  const open = new Set<Socket>()
  let opened = 0
  let reopens = 0
  let stopped = false
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      opened++
      const socket = connect({ host: '127.0.0.1', port, localAddress })
      open.add(socket)
      socket.on('error', () => {})
      socket.once('connect', () => {
        if (opts.send) socket.write(opts.send)
        resolve()
      })
      socket.once('close', () => {
        open.delete(socket)
        resolve()
        if (opts.reopen && !stopped && reopens < (opts.maxReopens ?? 2000)) {
          reopens++
          void one()
        }
      })
    })
  const batch = opts.batch ?? 100
  for (let i = 0; i < count; i += batch) {
    const wave: Array<Promise<void>> = []
    for (let j = i; j < Math.min(count, i + batch); j++) wave.push(one())
    await Promise.all(wave)
  }
  return {
    open,
    opened: () => opened,
    stop() {
      stopped = true
      for (const socket of open) socket.destroy()
    },
  }
}

/** Polls `predicate` every few ms; fails with `what` after `timeoutMs` (generous: a bound, not a speed). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Publishes one QoS 1 reading; resolves only on its PUBACK. */
export async function publishQos1(client: MqttClient, value = 1): Promise<void> {
  const pubacks: Array<number | undefined> = []
  const onPacket = (packet: { cmd: string; messageId?: number }): void => {
    if (packet.cmd === 'puback') pubacks.push(packet.messageId)
  }
  client.on('packetreceive', onPacket)
  try {
    // mqtt.js resolves a QoS 1 publish when its PUBACK arrives; checked on the wire as well.
    const sent = await client.publishAsync(TOPICS.telemetry, JSON.stringify({ current_a: value }), { qos: 1 })
    expect(sent?.messageId).toBeDefined()
    expect(pubacks).toContain(sent?.messageId)
  } finally {
    client.off('packetreceive', onPacket)
  }
}

/**
 * The end of every case: the device connected before is still served, a new one gets in and is
 * served, and RSS grew by less than RSS_BOUND_BYTES since `rssBefore`.
 */
export async function expectStillServing(h: Harness, before: MqttClient, afterDeviceId: string, rssBefore: number): Promise<void> {
  expect(before.connected).toBe(true)
  await publishQos1(before, 2)
  const after = await h.connect(afterDeviceId)
  await publishQos1(after, 3)
  // Not kept: cases run back to back and the device has a connection cap.
  await after.endAsync()
  const growth = settledRss() - rssBefore
  expect(growth).toBeLessThan(RSS_BOUND_BYTES)
}
