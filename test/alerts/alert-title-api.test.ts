/**
 * GET /alerts and /alerts/:id add `title` (contract/catalogue) in the language of `?lang` or
 * Accept-Language, zh-CN by default; OpenAPI documents both. Real gateway, real HTTP.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'

import { ManualClock } from '../../gateway/clock.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'
import { AlertDriver, inService } from './deliveries/delivery-fixture.js'

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)
const ZH = '泄漏电流 4.0 mA，限值 3.5 mA（严重）：未确认'
const EN = 'Leakage current 4.0 mA, limit 3.5 mA (critical): active'

let h: Harness
beforeEach(async () => {
  h = await startHarness({ clock: new ManualClock(T0) })
})
afterEach(async () => {
  await h.close()
})

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(h.httpUrl + '/api/v1' + path, { headers: { authorization: `Bearer ${h.token}`, ...headers } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}
const listTitles = async (path: string, headers?: Record<string, string>) => ((await get(path, headers)).body['alerts'] as { title: string }[]).map((a) => a.title)

it('?lang=en, Accept-Language, and zh-CN by default, on the list and on one alert', async () => {
  await inService(h, 'unit-1')
  const a = new AlertDriver(h.gateway, ['unassigned']).raise('unit-1', T0)

  expect(await listTitles('/alerts')).toEqual([ZH])
  expect(await listTitles('/alerts?lang=en')).toEqual([EN])
  expect(await listTitles('/alerts', { 'accept-language': 'en-US,en;q=0.9' })).toEqual([EN])
  expect(await listTitles('/alerts', { 'accept-language': 'fr-FR' })).toEqual([ZH])
  // ?lang wins over the header.
  expect(await listTitles('/alerts?lang=zh-CN', { 'accept-language': 'en' })).toEqual([ZH])

  const one = await get(`/alerts/${a.id}?lang=en`)
  expect(one.status).toBe(200)
  expect(one.body).toMatchObject({ id: a.id, title: EN, message: a.message })
  expect((await get(`/alerts/${a.id}`, { 'accept-language': 'zh-Hans-CN' })).body['title']).toBe(ZH)
})

it('an unknown ?lang is refused saying which languages there are', async () => {
  const r = await get('/alerts?lang=fr')
  expect(r.status).toBe(400)
  expect((r.body['error'] as { message: string }).message).toBe('querystring.lang: Invalid option: expected one of "zh-CN"|"en"')
})

it('OpenAPI documents lang and title', async () => {
  interface Op { parameters: { name: string; in: string; description?: string }[]; responses: Record<string, { content: { 'application/json': { schema: unknown } } }> }
  const doc = (await (await fetch(`${h.httpUrl}/openapi.json`)).json()) as { paths: Record<string, { get: Op }> }
  for (const path of ['/api/v1/alerts', '/api/v1/alerts/{id}']) {
    const op = doc.paths[path]!.get
    expect(op.parameters.find((p) => p.name === 'lang')).toMatchObject({ in: 'query', description: expect.stringContaining('Language of `title` (zh-CN or en)') })
    expect(JSON.stringify(op.responses['200']!.content['application/json'].schema)).toContain('One line for a person, in the language of `lang` or Accept-Language')
  }
})
