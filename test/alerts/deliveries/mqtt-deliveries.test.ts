/**
 * Alert deliveries over MQTT (api.md "MQTT deliveries"), real broker over TCP, real mqtt.js
 * clients: a 'service' device of a team may subscribe to v1/teams/<its team>/# only; it gets
 * the retained state of each alert (emptied once cleared or moved) and the events (QoS 1).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterEach, beforeEach, expect, it } from 'vitest'

import { ManualClock } from '../../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../../helpers/gateway-harness.js'
import { AlertDriver, inService, writeTeamsFile } from './delivery-fixture.js'

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)
const MIN = 60_000

let dir: string
let h: Harness
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-team-mqtt-'))
  const file = writeTeamsFile(dir, {
    teams: [
      { id: 'north', name: 'North', escalatesTo: 'south', deliveries: [{ kind: 'mqtt' }] },
      { id: 'south', name: 'South', deliveries: [{ kind: 'mqtt' }] },
    ],
    defaultTeam: 'north',
  })
  h = await startHarness({ clock: new ManualClock(T0), env: { GW_ALERT_TEAMS_FILE: file, GW_ALERT_DELIVERY_POLL_MS: '20' } })
})
afterEach(async () => {
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Got { topic: string; payload: string; retain: boolean }
function collect(c: MqttClient): Got[] {
  const got: Got[] = []
  c.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }))
  return got
}

/** The SUBACK return code for one filter (mqtt.js rejects a refused one with the SUBACK packet). */
async function grantedQos(c: MqttClient, topic: string): Promise<number> {
  try {
    return (await c.subscribeAsync(topic, { qos: 1 }))[0]!.qos
  } catch (e) {
    const granted = (e as { packet?: { granted?: number[] } }).packet?.granted
    if (granted === undefined) throw e
    return granted[0]!
  }
}

async function serviceClient(id: string, team: string): Promise<MqttClient> {
  return h.connect(id, await h.register(id, 'service', undefined, team))
}

it("a service client may subscribe to its own team's topics only", async () => {
  const c = await serviceClient('svc-north', 'north')
  const granted: [string, number][] = []
  for (const t of ['v1/teams/north/#', 'v1/teams/south/#', 'v1/teams/+/events', '#', 'v1/devices/me/errors']) granted.push([t, await grantedQos(c, t)])
  expect(granted).toEqual([
    ['v1/teams/north/#', 1],
    ['v1/teams/south/#', 128],
    ['v1/teams/+/events', 128],
    ['#', 128],
    ['v1/devices/me/errors', 1], // its own error notices, like every device
  ])
  // Devices of other kinds get no team topic.
  const other = await h.connect('meter-1', await h.register('meter-1', 'meter'))
  expect(await grantedQos(other, 'v1/teams/north/#')).toBe(128)
})

it('a service device needs a team, and only a service device has one', async () => {
  const noTeam = await h.api('POST', '/api/v1/devices', { id: 'svc-x', kind: 'service' })
  expect(noTeam.status).toBe(400)
  expect(JSON.stringify(noTeam.body)).toMatch(/a service client needs its team/)
  const meterTeam = await h.api('POST', '/api/v1/devices', { id: 'm-x', kind: 'meter', team: 'north' })
  expect(meterTeam.status).toBe(400)
  expect(JSON.stringify(meterTeam.body)).toMatch(/only a service client has a team/)
})

it('retained state per alert, events on the team topic, emptied on clear; an escalation moves the alert to the next team', async () => {
  const north = await serviceClient('svc-north', 'north')
  const south = await serviceClient('svc-south', 'south')
  const gotN = collect(north)
  const gotS = collect(south)
  await north.subscribeAsync('v1/teams/north/#', { qos: 1 })
  await south.subscribeAsync('v1/teams/south/#', { qos: 1 })
  await inService(h, 'unit-1', 'unit-2')
  const d = new AlertDriver(h.gateway, ['north', 'south'])
  const a1 = d.raise('unit-1', T0)
  const a2 = d.raise('unit-2', T0)
  await waitFor(() => gotN.length === 4, 'two retained states and two events')
  expect(gotN.map((g) => [g.topic, g.payload === '' ? '' : (JSON.parse(g.payload) as { id?: string; type?: string }).id ?? (JSON.parse(g.payload) as { type: string }).type])).toEqual([
    [`v1/teams/north/alerts/${a1.id}`, a1.id],
    ['v1/teams/north/events', 'alert.raised'],
    [`v1/teams/north/alerts/${a2.id}`, a2.id],
    ['v1/teams/north/events', 'alert.raised'],
  ])

  // A late subscriber gets the current state of each alert, retained.
  const late = await serviceClient('svc-north-2', 'north')
  const gotLate = collect(late)
  await late.subscribeAsync('v1/teams/north/alerts/+', { qos: 1 })
  await waitFor(() => gotLate.length === 2, 'the retained states')
  expect(gotLate.every((g) => g.retain)).toBe(true)
  expect(gotLate.map((g) => g.topic).sort()).toEqual([`v1/teams/north/alerts/${a1.id}`, `v1/teams/north/alerts/${a2.id}`].sort())

  d.apply(a2.id, { kind: 'clear', by: 'li.wei', at: T0 + MIN, note: 'breaker replaced' })
  await waitFor(() => gotN.length === 6, 'the clear')
  expect(gotN[4]).toMatchObject({ topic: `v1/teams/north/alerts/${a2.id}`, payload: '' })
  expect(JSON.parse(gotN[5]!.payload)).toMatchObject({ type: 'alert.cleared', data: { alert: { id: a2.id, state: 'cleared' } } })

  // a1 is not acknowledged within 20 min (T2, critical): it escalates to south.
  d.escalate(a1.id, T0 + 21 * MIN)
  await waitFor(() => gotS.length === 2 && gotN.length === 7, 'the escalation')
  expect(gotN[6]).toMatchObject({ topic: `v1/teams/north/alerts/${a1.id}`, payload: '' })
  expect(gotS[0]!.topic).toBe(`v1/teams/south/alerts/${a1.id}`)
  expect(JSON.parse(gotS[1]!.payload)).toMatchObject({ type: 'alert.escalated', data: { team: 'south', escalation: { fromTeam: 'north', toTeam: 'south', missed: 'acknowledge' } } })
  // Only the subscriptions given: nothing of north reached south.
  expect(gotS.every((g) => g.topic.startsWith('v1/teams/south/'))).toBe(true)

  // Nothing left for the late subscriber after the clear: a2's retained state is gone.
  const later = await serviceClient('svc-north-3', 'north')
  const gotLater = collect(later)
  await later.subscribeAsync('v1/teams/north/alerts/+', { qos: 1 })
  await new Promise((r) => setTimeout(r, 100))
  expect(gotLater).toEqual([])
})
