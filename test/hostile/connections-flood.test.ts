/**
 * Pending-connection floods from several loopback addresses: idle sockets that never send
 * CONNECT, reopened as fast as the gateway closes them. A device on another address must still
 * get in and get its PUBACK.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../broker/harness.js'
import { connectPacket } from '../broker/raw-mqtt.js'
import { type Flood, expectStillServing, openFlood, publishQos1, settledRss, until } from './hostile-harness.js'

describe('pending-connection floods', () => {
  let h: Harness | undefined
  const floods: Flood[] = []
  afterEach(async () => {
    for (const flood of floods.splice(0)) flood.stop()
    await h?.close()
    h = undefined
  })

  it('1,000 idle sockets from each of 127.0.0.2 and 127.0.0.3, reopened when closed, do not keep a device on 127.0.0.1 out', { timeout: 60_000 }, async () => {
    // Idle sockets stay for the whole test (connect timeout far away): the worst case.
    h = await startHarness({ maxPendingConnections: 200, maxPendingPerAddress: 50, connectTimeoutMs: 120_000 })
    const before = await h.connect('meter-1')
    const rssBefore = settledRss()
    floods.push(await openFlood(h.port, '127.0.0.2', 1000, { reopen: true, maxReopens: 1000 }))
    floods.push(await openFlood(h.port, '127.0.0.3', 1000, { reopen: true, maxReopens: 1000 }))
    const broker = h.broker
    await until(() => broker.stats().pending >= 100, 'the floods to hold pending slots')

    // A device connecting while both floods keep reopening.
    const device = await h.connect('meter-2')
    await publishQos1(device)
    await expectStillServing(h, before, 'unit-1', rssBefore)
    // Each flood holds exactly its per-address share; the rest was refused on accept.
    expect(broker.stats().pending).toBe(100)
    expect(broker.stats().refusedConnections).toBeGreaterThanOrEqual(1900)
  })

  it('when the global cap is reached, the newcomer sheds the oldest socket of the biggest source', { timeout: 60_000 }, async () => {
    // Per-address cap above the global one: only shedding can let the device in.
    h = await startHarness({ maxPendingConnections: 100, maxPendingPerAddress: 80, connectTimeoutMs: 120_000 })
    const before = await h.connect('meter-1')
    const rssBefore = settledRss()
    floods.push(await openFlood(h.port, '127.0.0.2', 1000, { reopen: true, maxReopens: 500 }))
    floods.push(await openFlood(h.port, '127.0.0.3', 1000, { reopen: true, maxReopens: 500 }))
    const broker = h.broker
    await until(() => broker.stats().pending === 100, 'the floods to fill every pending slot')

    const device = await h.connect('meter-2')
    await publishQos1(device)
    await expectStillServing(h, before, 'unit-1', rssBefore)
    expect(broker.stats().shedConnections).toBeGreaterThan(0)
  })

  it('1,000 sockets from 127.0.0.2 that each sent the first bytes of a CONNECT and stall do not keep a device out', { timeout: 60_000 }, async () => {
    h = await startHarness({ maxPendingConnections: 200, maxPendingPerAddress: 50, connectTimeoutMs: 120_000 })
    const before = await h.connect('meter-1')
    const rssBefore = settledRss()
    const partial = connectPacket({ clientId: 'slow', username: 'meter-2', password: 's3cret-2' }).subarray(0, 7)
    floods.push(await openFlood(h.port, '127.0.0.2', 1000, { reopen: true, maxReopens: 1000, send: partial }))
    const broker = h.broker
    await until(() => broker.stats().pending >= 50, 'the flood to hold its pending slots')
    const device = await h.connect('meter-2')
    await publishQos1(device)
    await expectStillServing(h, before, 'unit-1', rssBefore)
    expect(broker.stats().pending).toBe(50)
  })
})
