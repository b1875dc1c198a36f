/**
 * The broker writes packet ids without mqtt-packet's 65,536-Buffer cache (broker/packet-numbers.ts):
 * the cache would be built on the first packet written and cost ~6 MB for the process's life.
 * Raw sockets only, so no mqtt.js client in this process writes packets through mqtt-packet.
 */
import { createRequire } from 'node:module'
import { afterEach, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'
import { connectPacket, publishPacket, RawClient } from './raw-mqtt.js'

const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as { cache: Record<number, Buffer> }
let h: Harness | undefined
afterEach(async () => h?.close())

it('a PUBACK with packet id 513 is right, and no packet-number cache was built', async () => {
  h = await startHarness()
  const c = await RawClient.open(h.port)
  c.send(connectPacket({ clientId: 'meter-1-raw', username: 'meter-1', password: 's3cret-1' }))
  expect((await c.waitFor(2)).body).toEqual(Buffer.from([0, 0]))
  c.send(publishPacket('v1/devices/me/telemetry', '{"current_a": 1}', 1, 513))
  const puback = await c.waitFor(4)
  expect(puback.body).toEqual(Buffer.from([0x02, 0x01]))
  expect(Object.keys(numbers.cache)).toHaveLength(0)
  c.socket.destroy()
})
