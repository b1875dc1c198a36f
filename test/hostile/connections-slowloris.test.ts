/**
 * Slowloris: sockets that send a CONNECT one byte at a time, from six loopback addresses. aedes's
 * connect timer runs from the moment the socket is handed over and is cleared only by a complete
 * CONNECT, so trickled bytes do not keep a socket alive past connectTimeoutMs.
 */
import { type Socket, connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../broker/harness.js'
import { connectPacket } from '../broker/raw-mqtt.js'
import { expectStillServing, publishQos1, settledRss, until } from './hostile-harness.js'

const ADDRESSES = ['127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9']
const CONNECT_TIMEOUT_MS = 400

interface Trickler {
  closed: Promise<{ afterMs: number; bytesSent: number; gotData: boolean }>
  stop(): void
}

/** Sends `bytes` one byte every `everyMs` until the server closes the socket. */
function trickle(port: number, localAddress: string, bytes: Buffer, everyMs: number): Trickler {
  const socket: Socket = connect({ host: '127.0.0.1', port, localAddress })
  let sent = 0
  let gotData = false
  let timer: ReturnType<typeof setInterval> | undefined
  const opened = performance.now()
  socket.on('error', () => {})
  socket.on('data', () => (gotData = true))
  socket.once('connect', () => {
    timer = setInterval(() => {
      if (sent < bytes.length && !socket.destroyed) socket.write(bytes.subarray(sent, ++sent))
    }, everyMs)
  })
  const closed = new Promise<{ afterMs: number; bytesSent: number; gotData: boolean }>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer)
      resolve({ afterMs: performance.now() - opened, bytesSent: sent, gotData })
    }),
  )
  return {
    closed,
    stop() {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

describe('slowloris', () => {
  let h: Harness | undefined
  const tricklers: Trickler[] = []
  afterEach(async () => {
    for (const t of tricklers.splice(0)) t.stop()
    await h?.close()
    h = undefined
  })

  it('120 sockets from six addresses trickling a valid CONNECT byte by byte are closed at connectTimeoutMs, without CONNACK', { timeout: 60_000 }, async () => {
    h = await startHarness({ connectTimeoutMs: CONNECT_TIMEOUT_MS, maxPendingConnections: 1000, maxPendingPerAddress: 100 })
    const before = await h.connect('meter-1', { clientId: 'before' })
    const rssBefore = settledRss()
    // A real device's CONNECT, with valid credentials: only its pace is hostile.
    const bytes = connectPacket({ clientId: 'slow', username: 'meter-2', password: 's3cret-2' })
    // 50 ms per byte: the whole CONNECT would take about 2 s, several times the timeout.
    expect(bytes.length * 50).toBeGreaterThan(4 * CONNECT_TIMEOUT_MS)
    for (let i = 0; i < 120; i++) tricklers.push(trickle(h.port, ADDRESSES[i % ADDRESSES.length] as string, bytes, 50))

    // Meanwhile a device connects and is served.
    const during = await h.connect('unit-1', { clientId: 'during' })
    await publishQos1(during)

    const results = await Promise.all(tricklers.map((t) => t.closed))
    for (const r of results) {
      expect(r.gotData).toBe(false) // no CONNACK
      expect(r.bytesSent).toBeLessThan(bytes.length)
      // Closed by the timer, not earlier (a lower bound cannot fail on a slow machine).
      expect(r.afterMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS * 0.9)
    }
    const broker = h.broker
    await until(() => broker.stats().pending === 0, 'the server side of the closed sockets to be gone')
    await expectStillServing(h, before, 'meter-2', rssBefore)
  })
})
