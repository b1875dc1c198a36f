/**
 * Attributes are merged into the device's record: names per message and per device are
 * bounded, so messages with fresh names cannot grow that record without end. Real gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.close()
})

const names = (from: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`attr_${from + i}`, i]))

async function reasons(deviceId: string): Promise<string[]> {
  const res = await h.api<{ items: { code: string; reason: string }[] }>('GET', `/api/v1/quarantine?deviceId=${deviceId}&after=0`)
  return res.body.items.map((i) => `${i.code} ${i.reason}`)
}

describe('attribute limits', () => {
  it('more than 64 names in one message: refused whole with the limit and the count', async () => {
    const c = await h.connect('attr-many', await h.register('attr-many'))
    await c.publishAsync(TOPICS.attributes, JSON.stringify(names(0, 65)), { qos: 1 })
    expect(await reasons('attr-many')).toEqual(['GW_ERR_TOO_LARGE payload: 65 attributes in one message; at most 64 are accepted'])
    expect(h.gateway.ingest!.counters.quarantined).toBeGreaterThan(0)
  })

  it('at most 256 names are kept per device; known names may still be updated', async () => {
    const c = await h.connect('attr-grow', await h.register('attr-grow'))
    for (let m = 0; m < 4; m++) await c.publishAsync(TOPICS.attributes, JSON.stringify(names(m * 64, 64)), { qos: 1 })
    expect(await reasons('attr-grow')).toEqual([])
    await c.publishAsync(TOPICS.attributes, JSON.stringify({ ...names(250, 6), model: 'X1' }), { qos: 1 })
    expect(await reasons('attr-grow')).toEqual(['GW_ERR_TOO_LARGE payload: 1 new attribute(s) would make 257; a device keeps at most 256'])
    await c.publishAsync(TOPICS.attributes, JSON.stringify(names(0, 10)), { qos: 1 })
    expect(await reasons('attr-grow')).toHaveLength(1)
  })

  it('a bridge\'s devices are bounded the same way', async () => {
    await h.register('attr-meter')
    const bridge = await h.connect('attr-bridge', await h.register('attr-bridge', 'bridge', ['attr-meter']))
    await bridge.publishAsync(TOPICS.gatewayAttributes, JSON.stringify({ 'attr-meter': names(0, 100) }), { qos: 1 })
    expect(await reasons('attr-bridge')).toEqual(['GW_ERR_TOO_LARGE payload.attr-meter: 100 attributes in one message; at most 64 are accepted'])
  })
})
