/**
 * What a person reads in a delivery (the product rule: one catalogue, zh-CN and en), through a
 * real gateway, a real webhook receiver on 127.0.0.1 and a real MQTT client: every event body
 * carries `text` in both locales and `title` in the team's `locale` (default zh-CN); a grouped
 * delivery carries its summary line the same way; the retained state carries `text` by state.
 * Expected strings are written by hand from contract/catalogue/catalogue.ts.
 */
import { expect, it } from 'vitest'

import { startHarness, waitFor } from '../../helpers/gateway-harness.js'
import { AlertDriver, inService, SECRET, webhookSite, writeTeamsFile } from './delivery-fixture.js'

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)

interface Body { type: string; data: { team: string; title: string; text: Record<string, string>; alert?: { id: string } } }

const site = webhookSite('gw-delivery-text-', T0)

const bodiesOf = (team: string): Body[] => site.rx.delivered.map((d) => d.body as Body).filter((b) => b.data.team === team)

it("event bodies carry text in zh-CN and en and the title in the team's locale; a group its summary; the retained state its text", async () => {
  const file = writeTeamsFile(site.dir, {
    teams: [
      { id: 'north', name: 'North', locale: 'en', deliveries: [{ kind: 'webhook', url: site.rx.url, secret: SECRET }], rateLimit: { windowS: 60, maxPerWindow: 1, maxListed: 50 } },
      { id: 'south', name: 'South', deliveries: [{ kind: 'webhook', url: site.rx.url, secret: SECRET }, { kind: 'mqtt' }] },
    ],
    defaultTeam: 'north',
  })
  site.h = await startHarness({ clock: site.clock, env: { GW_ALERT_TEAMS_FILE: file, GW_ALERT_DELIVERY_POLL_MS: '20' } })
  await inService(site.h, 'unit-1', 'unit-2', 'unit-3', 'unit-4')
  const svc = await site.h.connect('svc-south', await site.h.register('svc-south', 'service', undefined, 'south'))
  const retained: { topic: string; payload: string }[] = []
  svc.on('message', (topic, payload) => retained.push({ topic, payload: payload.toString('utf8') }))
  await svc.subscribeAsync('v1/teams/south/alerts/+', { qos: 1 })

  // South: no locale in the teams file, so zh-CN. The fixture's leakage: 4 mA against 3.5 mA, critical.
  const south = new AlertDriver(site.h.gateway, ['south'])
  const s1 = south.raise('unit-1', T0)
  await waitFor(() => bodiesOf('south').length === 1, "south's delivery")
  const sb = bodiesOf('south')[0]!
  expect(sb.type).toBe('alert.raised')
  expect(sb.data.alert?.id).toBe(s1.id)
  expect(sb.data.text).toEqual({ 'zh-CN': '泄漏电流 4.0 mA，限值 3.5 mA（严重）：已触发', en: 'Leakage current 4.0 mA, limit 3.5 mA (critical): raised' })
  expect(sb.data.title).toBe('泄漏电流 4.0 mA，限值 3.5 mA（严重）：已触发')

  // The retained state: the alert as it stands, titled by its state.
  await waitFor(() => retained.some((r) => r.payload !== ''), 'the retained state')
  const state = JSON.parse(retained.find((r) => r.payload !== '')!.payload) as { id: string; state: string; text: Record<string, string> }
  expect(state).toMatchObject({ id: s1.id, state: 'active' })
  expect(state.text).toEqual({ 'zh-CN': '泄漏电流 4.0 mA，限值 3.5 mA（严重）：未确认', en: 'Leakage current 4.0 mA, limit 3.5 mA (critical): active' })

  south.apply(s1.id, { kind: 'acknowledge', by: 'li.wei', at: T0 + 1000, note: '' })
  await waitFor(() => bodiesOf('south').length === 2, "south's second delivery")
  expect(bodiesOf('south')[1]!.data.title).toBe('泄漏电流 4.0 mA，限值 3.5 mA（严重）：已确认')

  // North: locale en, one delivery per window; the next two go as one group at the window's end.
  const north = new AlertDriver(site.h.gateway, ['north'])
  north.raise('unit-2', site.clock.now())
  north.raise('unit-3', site.clock.now())
  north.raise('unit-4', site.clock.now())
  await waitFor(() => bodiesOf('north').length === 1, "north's first delivery")
  const nb = bodiesOf('north')[0]!
  expect(nb.data.title).toBe('Leakage current 4.0 mA, limit 3.5 mA (critical): raised')
  expect(nb.data.text['zh-CN']).toBe('泄漏电流 4.0 mA，限值 3.5 mA（严重）：已触发')
  site.clock.advance(60_000)
  await waitFor(() => bodiesOf('north').length === 2, "north's grouped delivery")
  const group = bodiesOf('north')[1]!
  expect(group.type).toBe('alerts.grouped')
  expect(group.data.text).toEqual({ 'zh-CN': '2 条告警变化，最高级别：严重（0 条未列出）：泄漏电流 ×2', en: '2 alert changes, worst critical (0 not listed): Leakage current ×2' })
  expect(group.data.title).toBe('2 alert changes, worst critical (0 not listed): Leakage current ×2')
})

it('a team locale other than zh-CN or en stops the start with the file, the field and the locales', async () => {
  const file = writeTeamsFile(site.dir, { teams: [{ id: 'north', name: 'North', locale: 'fr', deliveries: [{ kind: 'sse' }] }] })
  await expect(startHarness({ clock: site.clock, env: { GW_ALERT_TEAMS_FILE: file } })).rejects.toThrow(`${file}: teams[0].locale: locale must be one of zh-CN, en (got "fr")`)
})
