/**
 * Bad initial packets of every type (after mosquitto's test/broker/01-bad-initial-packets.py),
 * each declaring a huge remaining length, and every type with a huge length after CONNECT.
 * The gateway closes only the offending connection, buffers nothing of what was declared, and
 * keeps serving devices connected before and after.
 */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../broker/harness.js'
import { RawClient, connectPacket } from '../broker/raw-mqtt.js'
import { expectStillServing, settledRss } from './hostile-harness.js'

/** Remaining length 268,435,455 (the maximum [MQTT-2.2.3]) and 2,097,151 (3 bytes). */
const HUGE = [Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from([0xff, 0xff, 0x7f])]
const FIRST_BYTES = Array.from({ length: 16 }, (_, type) => type << 4)
/** Sockets per case: enough that a per-socket buffer of the declared size would show in RSS. */
const SOCKETS = 20

describe('bad packets with huge remaining lengths', () => {
  let h: Harness
  let before: MqttClient
  beforeAll(async () => {
    h = await startHarness({ maxPendingConnections: 1000 })
    before = await h.connect('meter-1', { clientId: 'before' })
  })
  afterAll(async () => {
    await h.close()
  })

  it.each(FIRST_BYTES.map((b) => [`0x${b.toString(16).padStart(2, '0')}`, b] as const))(
    'as the first packet: first byte %s',
    { timeout: 20_000 },
    async (_name, firstByte) => {
      const rssBefore = settledRss()
      const rejectedBefore = h.broker.stats().rejectedPackets
      const raws: RawClient[] = []
      for (let i = 0; i < SOCKETS; i++) {
        const raw = await RawClient.open(h.port)
        const length = HUGE[i % HUGE.length] as Buffer
        // Header plus 4 KiB of body: whatever a lenient parser would start buffering.
        raw.send(Buffer.concat([Buffer.from([firstByte]), length, Buffer.alloc(4096, 0x41)]))
        raws.push(raw)
      }
      await Promise.all(raws.map((r) => r.closed))
      for (const raw of raws) expect(raw.packets).toEqual([])
      expect(h.broker.stats().rejectedPackets - rejectedBefore).toBe(SOCKETS)
      await expectStillServing(h, before, 'meter-2', rssBefore)
    },
  )

  it.each(FIRST_BYTES.filter((b) => b !== 0).map((b) => [`0x${b.toString(16).padStart(2, '0')}`, b] as const))(
    'after an accepted CONNECT: first byte %s declaring 256 MiB',
    { timeout: 20_000 },
    async (_name, firstByte) => {
      const rssBefore = settledRss()
      const raws: RawClient[] = []
      for (let i = 0; i < SOCKETS; i++) {
        const raw = await RawClient.open(h.port)
        raw.send(connectPacket({ clientId: `bad-${firstByte}-${i}`, username: 'unit-1', password: 's3cret-u' }))
        expect((await raw.waitFor(2)).body[1]).toBe(0)
        raw.send(Buffer.concat([Buffer.from([firstByte | 0x02]), HUGE[0] as Buffer, Buffer.alloc(4096, 0x41)]))
        raws.push(raw)
      }
      await Promise.all(raws.map((r) => r.closed))
      await expectStillServing(h, before, 'meter-2', rssBefore)
    },
  )
})
