/**
 * GET /api/v1/alerts/stream?team= over a real HTTP connection: a team's alert changes as
 * server-sent events with ids; a reconnect with Last-Event-ID gets exactly what it missed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'

import { ManualClock } from '../../../gateway/clock.js'
import { startHarness, type Harness } from '../../helpers/gateway-harness.js'
import { AlertDriver, inService, writeTeamsFile } from './delivery-fixture.js'

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)

let dir: string
let h: Harness
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-stream-'))
  const file = writeTeamsFile(dir, {
    teams: [
      { id: 'north', name: 'North', deliveries: [{ kind: 'sse' }] },
      { id: 'south', name: 'South', deliveries: [{ kind: 'sse' }], locale: 'en' },
    ],
    routes: [{ team: 'south', sites: ['site-s'] }],
    defaultTeam: 'north',
  })
  h = await startHarness({ clock: new ManualClock(T0), env: { GW_ALERT_TEAMS_FILE: file } })
})
afterEach(async () => {
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

interface SseEvent { id: number; event: string; data: { type: string; data: { alert: { id: string }; team: string; title: string } } }

/** Opens the stream and reads `n` events, then closes the connection. */
async function read(team: string, n: number, lastEventId?: string, more: { query?: string; headers?: Record<string, string> } = {}): Promise<SseEvent[]> {
  const ctl = new AbortController()
  const res = await fetch(`${h.httpUrl}/api/v1/alerts/stream?team=${team}${more.query ?? ''}`, {
    headers: { authorization: `Bearer ${h.token}`, ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}), ...more.headers },
    signal: ctl.signal,
  })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.getReader()
  const dec = new TextDecoder()
  let text = ''
  const out: SseEvent[] = []
  const timer = setTimeout(() => ctl.abort(), 5000)
  try {
    while (out.length < n) {
      const { value, done } = await reader.read()
      if (done) break
      text += dec.decode(value, { stream: true })
      let cut: number
      while ((cut = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, cut)
        text = text.slice(cut + 2)
        const f: Record<string, string> = {}
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue
          const c = line.indexOf(':')
          f[line.slice(0, c)] = line.slice(c + 1).trimStart()
        }
        if (f['data'] !== undefined) out.push({ id: Number(f['id']), event: f['event']!, data: JSON.parse(f['data']) as SseEvent['data'] })
      }
    }
  } finally {
    clearTimeout(timer)
    ctl.abort()
  }
  return out
}

it("streams a team's changes with ids, and Last-Event-ID resumes after the last one seen", async () => {
  await inService(h, 'unit-1', 'unit-2', 'unit-3', 'unit-9')
  const d = new AlertDriver(h.gateway, ['north'])
  const a1 = d.raise('unit-1', T0)
  const a2 = d.raise('unit-2', T0)
  new AlertDriver(h.gateway, ['south']).raise('unit-9', T0) // another team's: not in north's stream
  const first = await read('north', 2)
  expect(first.map((e) => [e.event, e.data.type, e.data.data.alert.id, e.data.data.team])).toEqual([
    ['alert', 'alert.raised', a1.id, 'north'],
    ['alert', 'alert.raised', a2.id, 'north'],
  ])
  expect(first[1]!.id).toBeGreaterThan(first[0]!.id)

  // Missed while disconnected: an acknowledgement and a new alert.
  d.apply(a1.id, { kind: 'acknowledge', by: 'li.wei', at: T0 + 1000 })
  const a3 = d.raise('unit-3', T0 + 2000)
  const resumed = await read('north', 2, String(first[1]!.id))
  expect(resumed.map((e) => [e.data.type, e.data.data.alert.id])).toEqual([
    ['alert.acknowledged', a1.id],
    ['alert.raised', a3.id],
  ])
  // From the start again: all four, the same ids.
  const all = await read('north', 4, '0')
  expect(all.map((e) => e.id)).toEqual([first[0]!.id, first[1]!.id, resumed[0]!.id, resumed[1]!.id])
})

it('live: an event appended while a client listens reaches it', async () => {
  await inService(h, 'unit-1')
  const d = new AlertDriver(h.gateway, ['north'])
  const pending = read('north', 1)
  await new Promise((r) => setTimeout(r, 50))
  const a1 = d.raise('unit-1', T0)
  expect((await pending).map((e) => e.data.data.alert.id)).toEqual([a1.id])
})

it('a bad Last-Event-ID or team is refused with a message naming it', async () => {
  const bad = await fetch(`${h.httpUrl}/api/v1/alerts/stream?team=north`, { headers: { authorization: `Bearer ${h.token}`, 'last-event-id': 'abc' } })
  expect(bad.status).toBe(400)
  expect(await bad.text()).toMatch(/Last-Event-ID 'abc' is not an event id/)
  const team = await h.api('GET', '/api/v1/alerts/stream?team=No%20Such')
  expect(team.status).toBe(400)
  expect(JSON.stringify(team.body)).toMatch(/team must be a team id/)
})

it("titles in ?lang=, else Accept-Language, else the team's own locale (south: en; north: none, so zh-CN)", async () => {
  await inService(h, 'unit-1', 'unit-9')
  new AlertDriver(h.gateway, ['north']).raise('unit-1', T0)
  new AlertDriver(h.gateway, ['south']).raise('unit-9', T0)
  const han = /[\u4e00-\u9fff]/
  const title = async (team: string, more?: { query?: string; headers?: Record<string, string> }) => (await read(team, 1, '0', more))[0]!.data.data.title
  expect(await title('north')).toMatch(han)
  const south = await title('south')
  expect(south).not.toMatch(han)
  expect(south).toMatch(/[a-z]{3,}/i)
  expect(await title('south', { query: '&lang=zh-CN' })).toMatch(han)
  expect(await title('north', { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).toBe(await title('north', { query: '&lang=en' }))
  expect(await title('north', { query: '&lang=en' })).not.toMatch(han)
  const bad = await h.api('GET', '/api/v1/alerts/stream?team=north&lang=fr')
  expect(bad.status).toBe(400)
})
