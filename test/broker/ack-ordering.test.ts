/** "Acknowledged means stored": PUBACK only after onDevicePublish resolves; never if it rejects. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, closed, deferred, startHarness } from './harness.js'
import { PINGREQ, RawClient, connectPacket, publishPacket } from './raw-mqtt.js'

const CONNACK = 2
const PUBACK = 4
const PINGRESP = 13

describe('QoS 1 acknowledgement follows durable ingest', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('no PUBACK while onDevicePublish is pending, even though the broker answers other packets', { timeout: 10_000 }, async () => {
    const stored = deferred()
    h.ingest = () => stored.promise
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'raw-order', username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(CONNACK)
    // One write: aedes handles the packets of a read batch concurrently, so the PINGRESP proves
    // the broker got past this PUBLISH's authorizePublish stage without writing its PUBACK.
    raw.send(Buffer.concat([publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, 42), PINGREQ]))
    await h.waitForIngest(1)
    await raw.waitFor(PINGRESP)
    expect(raw.has(PUBACK)).toBe(false)

    stored.resolve()
    const puback = await raw.waitFor(PUBACK)
    expect(puback.body.readUInt16BE(0)).toBe(42)
    expect(h.ingested[0]?.packet.messageId).toBe(42)
    raw.destroy()
  })

  it('mqtt.js: the publish completes only after the ingest resolved', { timeout: 10_000 }, async () => {
    const order: string[] = []
    const stored = deferred()
    h.ingest = async () => {
      order.push('ingest called')
      await stored.promise
      order.push('ingest resolved')
    }
    const client = await h.connect('meter-1')
    const acked = client.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 }).then(() => order.push('puback'))
    await h.waitForIngest(1)
    stored.resolve()
    await acked
    expect(order).toEqual(['ingest called', 'ingest resolved', 'puback'])
  })

  it('onDevicePublish rejecting: no PUBACK, the connection is closed, the device may retry', { timeout: 10_000 }, async () => {
    h.ingest = async () => {
      throw new Error('disk full')
    }
    const raw = await RawClient.open(h.port)
    raw.send(connectPacket({ clientId: 'raw-fail', username: 'meter-1', password: 's3cret-1' }))
    await raw.waitFor(CONNACK)
    raw.send(publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, 7))
    await raw.closed
    expect(raw.has(PUBACK)).toBe(false)
    expect(h.ingested).toHaveLength(1)

    // The same device reconnects and the retry is acknowledged once storage works again.
    h.ingest = async () => {}
    const client = await h.connect('meter-1')
    await client.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    expect(h.ingested).toHaveLength(2)
  })

  it('a rejected ingest drops only that client', { timeout: 10_000 }, async () => {
    const other = await h.connect('meter-2')
    h.ingest = async ({ identity }) => {
      if (identity.id === 'meter-1') throw new Error('disk full')
    }
    const failing = await h.connect('meter-1')
    const gone = closed(failing)
    failing.publish(TOPICS.telemetry, '{}', { qos: 1 })
    await gone
    await other.publishAsync(TOPICS.telemetry, '{"current_a":2}', { qos: 1 })
    expect(other.connected).toBe(true)
  })
})
