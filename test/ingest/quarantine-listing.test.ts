/**
 * GET /api/v1/quarantine is paged by cursor and bounded in bytes (issue 8: its default page
 * returned 101 MB). Real gateway, real MQTT publishes, real HTTP.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { TOPICS } from '../../contract/topics.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
let c: MqttClient

interface Item {
  id: number
  deviceId: string
  code: string
  reason: string
  reasonTruncated: boolean
  raw: string
  rawEncoding: 'utf8' | 'base64'
  rawBytes: number
  rawTruncated: boolean
  rawUrl: string
}
interface Page {
  total: number
  items: Item[]
  next: number | null
}

async function page(query: string): Promise<{ status: number; bytes: number; body: Page }> {
  const res = await fetch(`${h.httpUrl}/api/v1/quarantine${query}`, { headers: { authorization: `Bearer ${h.token}` } })
  const text = await res.text()
  return { status: res.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Page }
}

/** A bad message of about `bytes` bytes: one unknown channel with a long string value. */
function badMessage(i: number, bytes: number): string {
  const head = `{"warp_${i}": "`
  return `${head}${'w'.repeat(bytes - head.length - 2)}"}`
}

const BIG = 5000
const COUNT = 300

beforeAll(async () => {
  h = await startHarness({ clock })
  const secret = await h.register('lister-1')
  c = await h.connect('lister-1', secret)
  for (let i = 0; i < COUNT; i++) await c.publishAsync(TOPICS.telemetry, badMessage(i, BIG), { qos: 1 })
})
afterAll(async () => {
  await h.close()
})

describe('GET /api/v1/quarantine', () => {
  it('a page stops at about 1 MiB and says where to go on; payloads over 4 KiB are cut with their size', async () => {
    const first = await page('?deviceId=lister-1&limit=1000')
    expect(first.status).toBe(200)
    expect(first.body.total).toBe(COUNT)
    // 300 rows of 5 KB would be 1.5 MB: the page ends earlier, with a cursor.
    expect(first.bytes).toBeLessThanOrEqual(1024 * 1024 + 16 * 1024)
    expect(first.body.items.length).toBeGreaterThan(100)
    expect(first.body.items.length).toBeLessThan(COUNT)
    const last = first.body.items.at(-1)!
    expect(first.body.next).toBe(last.id)
    const item = first.body.items[0]!
    expect(item.rawBytes).toBe(BIG)
    expect(item.rawTruncated).toBe(true)
    expect(item.raw).toBe(badMessage(COUNT - 1, BIG).slice(0, 4096))
    expect(item.rawUrl).toBe(`/api/v1/quarantine/${item.id}/raw`)
  })

  it('following next visits every record once, newest first, and ends with null', async () => {
    const seen: number[] = []
    let query = '?deviceId=lister-1&limit=1000'
    for (let pages = 0; pages < 10; pages++) {
      const p = await page(query)
      for (const i of p.body.items) seen.push(i.id)
      if (p.body.next === null) break
      query = `?deviceId=lister-1&limit=1000&before=${p.body.next}`
    }
    expect(seen).toHaveLength(COUNT)
    expect(new Set(seen).size).toBe(COUNT)
    expect(seen).toEqual([...seen].sort((a, b) => b - a))
  })

  it('the default page is 100 rows; `after` pages oldest first', async () => {
    const newest = await page('?deviceId=lister-1')
    expect(newest.body.items).toHaveLength(100)
    const oldest = await page('?deviceId=lister-1&after=0&limit=3')
    const ids = oldest.body.items.map((i) => i.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(oldest.body.items[0]!.raw).toBe(badMessage(0, BIG).slice(0, 4096))
    expect(oldest.body.next).toBe(ids[2])
    const then = await page(`?deviceId=lister-1&after=${oldest.body.next}&limit=3`)
    expect(then.body.items[0]!.id).toBeGreaterThan(ids[2]!)
  })

  it('refuses before and after together, and a limit over 1000, saying why', async () => {
    const both = await page('?before=10&after=2')
    expect(both.status).toBe(400)
    expect(JSON.stringify(both.body)).toMatch(/before \(newest first\) or after \(oldest first\), not both/)
    const tooMany = await page('?limit=1001')
    expect(tooMany.status).toBe(400)
    expect(JSON.stringify(tooMany.body)).toMatch(/limit/)
  })

  it('GET /quarantine/:id/raw returns one whole payload byte for byte; an unknown id is 404', async () => {
    const raw = Buffer.concat([Buffer.from('{"current_a": 1, "'), Buffer.from([0xff, 0xfe]), Buffer.from('": 2}'), Buffer.alloc(6000, 0x41)])
    await c.publishAsync(TOPICS.telemetry, raw, { qos: 1 })
    const listed = (await page('?deviceId=lister-1&limit=1')).body.items[0]!
    expect(listed.rawEncoding).toBe('base64')
    expect(Buffer.from(listed.raw, 'base64')).toEqual(raw.subarray(0, 4096))
    const res = await fetch(`${h.httpUrl}${listed.rawUrl}`, { headers: { authorization: `Bearer ${h.token}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(Buffer.from(await res.arrayBuffer())).toEqual(raw)
    const missing = await h.api<{ error: { message: string } }>('GET', '/api/v1/quarantine/999999/raw')
    expect(missing.status).toBe(404)
    expect(missing.body.error.message).toBe('quarantine record 999999 not found')
  })

  it('a UTF-8 payload cut inside a character is shown up to the last whole character', async () => {
    const text = `{"warp":"${'é'.repeat(3000)}"}` // 9 bytes, then 2 a character: byte 4096 is the first of one
    await c.publishAsync(TOPICS.telemetry, text, { qos: 1 })
    const listed = (await page('?deviceId=lister-1&limit=1')).body.items[0]!
    expect(listed.rawEncoding).toBe('utf8')
    expect(listed.rawTruncated).toBe(true)
    expect(Buffer.byteLength(listed.raw)).toBe(4095)
    expect(text.startsWith(listed.raw)).toBe(true)
  })

  it('a multi-MB reason written before reasons were capped is listed cut, and flagged', async () => {
    const db = new Database(join(h.dataDir, 'gateway.db'))
    try {
      db.prepare("INSERT INTO quarantine (device_id, topic, received_at, code, reason, raw) VALUES ('legacy-1', 't', ?, 'GW_ERR_SHAPE', ?, ?)").run(
        T0,
        'r'.repeat(2_300_000),
        Buffer.from('[1]'),
      )
    } finally {
      db.close()
    }
    const p = await page('?deviceId=legacy-1')
    expect(p.bytes).toBeLessThan(16 * 1024)
    expect(p.body.items[0]!.reason).toBe('r'.repeat(8192))
    expect(p.body.items[0]!.reasonTruncated).toBe(true)
    expect(p.body.items[0]!.rawTruncated).toBe(false)
  })

  it('100 records of 250 KB payload and 1 MB reason (as written before the caps): the default page stays under 1 MiB and RSS barely moves', async () => {
    const db = new Database(join(h.dataDir, 'gateway.db'))
    try {
      const insert = db.prepare("INSERT INTO quarantine (device_id, topic, received_at, code, reason, raw) VALUES ('legacy-big', 't', ?, 'GW_ERR_SHAPE', ?, ?)")
      const reason = 'payload[0]: expected an object, got number; '.repeat(24_000) // ~1 MB
      const raw = Buffer.from(`[${'1,'.repeat(125_000)}1]`)
      db.transaction(() => {
        for (let i = 0; i < 100; i++) insert.run(T0, reason, raw)
      })()
    } finally {
      db.close()
    }
    const rssBefore = process.memoryUsage.rss()
    const p = await page('?deviceId=legacy-big')
    const grown = process.memoryUsage.rss() - rssBefore
    console.log(`default page over 100 legacy records of 1.25 MB: ${p.bytes} bytes, ${p.body.items.length} items, RSS +${(grown / 1024 / 1024).toFixed(1)} MiB`)
    expect(p.bytes).toBeLessThanOrEqual(1024 * 1024 + 16 * 1024)
    expect(p.body.items.length).toBeGreaterThan(50)
    expect(p.body.next).not.toBeNull()
    expect(grown).toBeLessThan(64 * 1024 * 1024)
  })

  it('is documented in the OpenAPI document, with the raw route', async () => {
    const doc = (await (await fetch(`${h.httpUrl}/openapi.json`)).json()) as {
      paths: Record<string, { get: { description?: string; parameters?: { name: string }[] } }>
    }
    const list = doc.paths['/api/v1/quarantine']!.get
    expect(list.parameters!.map((p) => p.name).sort()).toEqual(['after', 'before', 'deviceId', 'limit'])
    expect(list.description).toMatch(/1 KiB|1024 KiB/)
    expect(doc.paths['/api/v1/quarantine/{id}/raw']).toBeDefined()
  })
})
