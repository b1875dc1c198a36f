/** The broker module tells the bus when a device's authenticated connection opens and closes. */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DeviceConnection } from '../../gateway/bus/events.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.close()
})

it('device.connected on CONNACK, device.disconnected when it goes; a refused login is neither', async () => {
  const heard: string[] = []
  const record = (what: string) => (e: DeviceConnection) => heard.push(`${what} ${e.deviceId}`)
  h.gateway.bus.on('device.connected', 'test', record('connected'))
  h.gateway.bus.on('device.disconnected', 'test', record('disconnected'))
  const secret = await h.register('meter-1')
  await expect(h.connect('meter-1', 'wrong-secret')).rejects.toMatchObject({ code: expect.any(Number) })
  const client = await h.connect('meter-1', secret, { clientId: 'c-1' })
  await waitFor(() => heard.length === 1, 'device.connected')
  await client.endAsync()
  await waitFor(() => heard.length === 2, 'device.disconnected')
  expect(heard).toEqual(['connected meter-1', 'disconnected meter-1'])
})
