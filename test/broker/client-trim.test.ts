/**
 * broker/aedes-client-trim.ts: the two per-connection trims apply to aedes 1.x as installed
 * (so a version change that silently turns them off fails here), and a trimmed parser still
 * parses packets split across reads and packed into one read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, startHarness } from './harness.js'
import { RawClient, connectPacket, publishPacket } from './raw-mqtt.js'

const CONNACK = 2
const PUBACK = 4

interface ParserView {
  _list: { length: number; _readableState?: unknown }
  settings: Record<string, unknown>
}

function parserOf(h: Harness, clientId: string): ParserView {
  const clients = (h.broker.aedes as unknown as { clients: Record<string, { _parser: ParserView } | undefined> }).clients
  const client = clients[clientId]
  if (client === undefined) throw new Error(`no aedes client ${clientId}; have ${Object.keys(clients).join(', ')}`)
  return client._parser
}

async function connectRaw(h: Harness, clientId: string, protocolVersion: 3 | 4 = 4): Promise<RawClient> {
  const raw = await RawClient.open(h.port)
  raw.send(connectPacket({ clientId, username: 'meter-1', password: 's3cret-1', keepalive: 60, protocolVersion }))
  const connack = await raw.waitFor(CONNACK)
  expect(connack.body[1]).toBe(0)
  return raw
}

describe('aedes client trims (memory per idle connection)', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('the parser buffers in a plain BufferList and keeps neither the CONNECT nor the secret', async () => {
    const raw = await connectRaw(h, 'trim-a')
    const parser = parserOf(h, 'meter-1/trim-a')
    expect(parser._list._readableState).toBeUndefined() // not a stream any more
    expect(parser._list.length).toBe(0)
    expect(parser.settings).toEqual({ protocolVersion: 4 })
    raw.destroy()
  })

  it('the stream.finished() watch is replaced: a peer that vanishes, or half-closes, still ends its aedes client', async () => {
    const a = await connectRaw(h, 'trim-gone')
    const b = await connectRaw(h, 'trim-half')
    const clients = (h.broker.aedes as unknown as { clients: Record<string, { conn: { listenerCount(e: string): number } } | undefined> }).clients
    const conn = clients['meter-1/trim-gone']?.conn
    // Left on 'finish': aedes's own listeners only (stream.finished() added one of its own).
    expect(conn?.listenerCount('finish')).toBe(0)
    expect(h.broker.stats().connected).toBe(2)
    a.destroy()
    b.socket.end()
    await a.closed
    await b.closed
    for (let i = 0; i < 200 && h.broker.stats().connected > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(h.broker.stats().connected).toBe(0)
    expect(clients['meter-1/trim-gone']).toBeUndefined()
    expect(clients['meter-1/trim-half']).toBeUndefined()
  })

  it('MQTT 3.1 keeps its protocol version for later parsing', async () => {
    const raw = await connectRaw(h, 'trim-31', 3)
    expect(parserOf(h, 'meter-1/trim-31').settings).toEqual({ protocolVersion: 3 })
    raw.destroy()
  })

  it('a trimmed parser still reads a publish trickled byte by byte, two in one write and a 100 KB one', async () => {
    const raw = await connectRaw(h, 'trim-b')
    const trickled = publishPacket(TOPICS.telemetry, '{"current_a":1.5}', 1, 1)
    for (const byte of trickled) {
      raw.send(Buffer.from([byte]))
      await new Promise((resolve) => setImmediate(resolve))
    }
    raw.send(Buffer.concat([publishPacket(TOPICS.telemetry, '{"current_a":2}', 1, 2), publishPacket(TOPICS.telemetry, '{"current_a":3}', 1, 3)]))
    const big = `{"note":"${'x'.repeat(100_000)}"}`
    const bigPacket = publishPacket(TOPICS.telemetry, big, 1, 4)
    for (let at = 0; at < bigPacket.length; at += 7000) {
      raw.send(bigPacket.subarray(at, at + 7000))
      await new Promise((resolve) => setImmediate(resolve))
    }
    await h.waitForIngest(4)
    expect(h.ingested.map((c) => c.packet.payload.toString())).toEqual(['{"current_a":1.5}', '{"current_a":2}', '{"current_a":3}', big])
    expect(h.ingested.map((c) => c.packet.messageId)).toEqual([1, 2, 3, 4])
    // Every one acknowledged: four PUBACKs with the message ids in order.
    for (;;) {
      const acks = raw.packets.filter((p) => p.type === PUBACK)
      if (acks.length === 4) {
        expect(acks.map((p) => p.body.readUInt16BE(0))).toEqual([1, 2, 3, 4])
        break
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 10)), raw.closed])
      expect(raw.socket.destroyed).toBe(false)
    }
    raw.destroy()
  })
})
