/**
 * Quarantine retention (issue 8): records older than GW_QUARANTINE_MAX_AGE_DAYS go, then the
 * oldest beyond GW_QUARANTINE_MAX_BYTES; pruning runs as records are written (amortized) and
 * at start. Real gateway and broker, time from a manual clock.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { TOPICS } from '../../contract/topics.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const DAY = 86_400_000
const open: Harness[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const h of open.splice(0)) await h.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function gateway(clock: ManualClock, env: Record<string, string>, dataDir?: string): Promise<{ h: Harness; c: MqttClient }> {
  const h = await startHarness({ clock, env, ...(dataDir ? { dataDir } : {}) })
  open.push(h)
  const c = await h.connect('ret-1', await h.register('ret-1'))
  return { h, c }
}

/** A bad message of `bytes` bytes (an unknown channel), numbered so the test knows which is which. */
function bad(i: number, bytes = 100): string {
  const head = `{"warp_${String(i).padStart(4, '0')}": "`
  return `${head}${'w'.repeat(bytes - head.length - 2)}"}`
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

async function keptNumbers(h: Harness): Promise<number[]> {
  const res = await h.api<{ items: { raw: string }[] }>('GET', '/api/v1/quarantine?after=0&limit=1000')
  return res.body.items.map((i) => Number(/warp_(\d+)/.exec(i.raw)![1]))
}

describe('quarantine retention', () => {
  it('records older than the maximum age are deleted when later ones are written; younger ones stay', async () => {
    const clock = new ManualClock(T0)
    const { h, c } = await gateway(clock, { GW_QUARANTINE_MAX_AGE_DAYS: '30' })
    await c.publishAsync(TOPICS.telemetry, bad(1), { qos: 1 })
    await c.publishAsync(TOPICS.telemetry, bad(2), { qos: 1 })
    clock.advance(2 * DAY)
    await c.publishAsync(TOPICS.telemetry, bad(3), { qos: 1 })
    clock.advance(29 * DAY) // 1 and 2 are 31 days old, 3 is 29
    await c.publishAsync(TOPICS.telemetry, bad(4), { qos: 1 })
    await nextTurn()
    expect(await keptNumbers(h)).toEqual([3, 4])
    expect(h.gateway.quarantineRetention!.stats()).toMatchObject({ prunedByAge: 2, prunedBySize: 0, prunedRows: 2 })
  })

  it('a quiet gateway prunes by age too (what its hourly timer runs)', async () => {
    const clock = new ManualClock(T0)
    const { h, c } = await gateway(clock, { GW_QUARANTINE_MAX_AGE_DAYS: '1' })
    await c.publishAsync(TOPICS.telemetry, bad(1), { qos: 1 })
    clock.advance(DAY + 1)
    expect(h.gateway.quarantineRetention!.prune()).toBe(1)
    expect(await keptNumbers(h)).toEqual([])
    expect(h.gateway.quarantineRetention!.stats().bytes).toBe(0)
  })

  it('beyond the maximum size the oldest go first, down to 90 % of it; the total never stays above it', async () => {
    const clock = new ManualClock(T0)
    const { h, c } = await gateway(clock, { GW_QUARANTINE_MAX_BYTES: '20000' })
    const retention = h.gateway.quarantineRetention!
    let maxSeen = 0
    for (let i = 1; i <= 20; i++) {
      await c.publishAsync(TOPICS.telemetry, bad(i, 2000), { qos: 1 })
      await nextTurn() // a due prune runs after the PUBACK, on the gateway's next turn
      maxSeen = Math.max(maxSeen, retention.stats().bytes)
    }
    expect(maxSeen).toBeLessThanOrEqual(20_000)
    const kept = await keptNumbers(h)
    // Each record: 2000 payload bytes plus its reason; the newest are the ones kept, in order.
    expect(kept.length).toBeGreaterThanOrEqual(6)
    expect(kept.length).toBeLessThan(10)
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 21 - kept.length + k))
    expect(retention.stats().prunedBySize).toBe(20 - kept.length)
    expect(retention.stats().bytes).toBeLessThanOrEqual(18_000)
  })

  it('the newest record is kept even when it alone is over the size limit', async () => {
    const clock = new ManualClock(T0)
    const { h, c } = await gateway(clock, { GW_QUARANTINE_MAX_BYTES: '1000' })
    await c.publishAsync(TOPICS.telemetry, bad(1, 3000), { qos: 1 })
    await c.publishAsync(TOPICS.telemetry, bad(2, 3000), { qos: 1 })
    await nextTurn()
    expect(await keptNumbers(h)).toEqual([2])
  })

  it('at start the total is counted from the table and a smaller limit applies at once', async () => {
    const clock = new ManualClock(T0)
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-retention-'))
    dirs.push(dataDir)
    const first = await gateway(clock, {}, dataDir)
    for (let i = 1; i <= 10; i++) await first.c.publishAsync(TOPICS.telemetry, bad(i, 1000), { qos: 1 })
    const bytesBefore = first.h.gateway.quarantineRetention!.stats().bytes
    expect(bytesBefore).toBeGreaterThan(10_000)
    await first.h.close()
    open.splice(open.indexOf(first.h), 1)

    const h = await startHarness({ clock, dataDir, env: { GW_QUARANTINE_MAX_BYTES: '5000' } })
    open.push(h)
    const stats = h.gateway.quarantineRetention!.stats()
    expect(stats.bytes).toBeLessThanOrEqual(4500)
    expect(stats.prunedBySize).toBeGreaterThan(0)
    const res = await h.api<{ items: { raw: string }[] }>('GET', '/api/v1/quarantine?after=0')
    const kept = res.body.items.map((i) => Number(/warp_(\d+)/.exec(i.raw)![1]))
    expect(kept.at(-1)).toBe(10)
    expect(kept[0]).toBe(11 - kept.length)
  })

  it('the limits are validated at start with a line saying what is wrong', async () => {
    await expect(startHarness({ env: { GW_QUARANTINE_MAX_AGE_DAYS: '0' } })).rejects.toThrow(/GW_QUARANTINE_MAX_AGE_DAYS="0"/)
    await expect(startHarness({ env: { GW_QUARANTINE_MAX_BYTES: 'lots' } })).rejects.toThrow(/GW_QUARANTINE_MAX_BYTES="lots"/)
  })

  it('health shows the retained bytes and the pruned rows', async () => {
    const clock = new ManualClock(T0)
    const { h, c } = await gateway(clock, {})
    await c.publishAsync(TOPICS.telemetry, bad(1, 500), { qos: 1 })
    const health = await h.api<{ quarantine: { bytes: number; prunedRows: number } }>('GET', '/healthz')
    expect(health.body.quarantine.bytes).toBeGreaterThan(500)
    expect(health.body.quarantine.prunedRows).toBe(0)
  })
})
