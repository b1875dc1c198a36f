/**
 * The data disk fills up. The gateway then cannot commit, so it must not acknowledge, and it
 * must say so: /healthz answers 503 "degraded" with the reason until a commit succeeds
 * again, and /metrics counts the failed commits. The disk is real: the data dir is a 4 MiB
 * tmpfs mounted for this test (the tests run as root), filled by a file of the test's own.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const START = Date.UTC(2026, 10, 30, 6, 0, 0)
const clock = new ManualClock(START)
const mountPoint = mkdtempSync(join(tmpdir(), 'gw-full-'))
const filler = join(mountPoint, 'filler')
let h: Harness

beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint])
  h = await startHarness({ clock, dataDir: join(mountPoint, 'data') })
})
afterAll(async () => {
  await h?.close()
  execFileSync('umount', [mountPoint])
  rmdirSync(mountPoint)
})

/** Writes until the file system is full (ENOSPC). */
function fillDisk(): void {
  const fd = openSync(filler, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
}

const health = async (token?: string) => {
  const res = await fetch(`${h.httpUrl}/healthz`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } }
}
const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${h.httpUrl}/metrics`, { headers: { authorization: `Bearer ${h.token}` } })).text()
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
  if (!m) throw new Error(`${name} not in /metrics:\n${text}`)
  return Number(m[1])
}
/** 100 samples of two channels, one second apart, from `from`. */
const batch = (from: number) => JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ ts: from + i * 1000, values: { current_a: 5 + i / 100, voltage_v: 230 } })))

describe('data disk full', () => {
  it('is degraded with the reason while commits fail, counts them, and is ok again after a successful commit', async () => {
    const secret = await h.register('full-clamp')
    const client = await h.connect('full-clamp', secret)
    await client.publishAsync('v1/devices/me/telemetry', batch(START - 3_600_000), { qos: 1 })
    expect(await health(h.token)).toMatchObject({ status: 200, body: { status: 'ok', reasons: [] } })
    expect(await metric('gw_ingest_commit_failures_total')).toBe(0)

    fillDisk()
    clock.set(START + 1000)
    let closed = false
    client.on('error', () => {})
    client.on('close', () => (closed = true))
    // Acknowledged means stored: with nowhere to store them, none of these is acknowledged.
    let acked = 0
    for (let i = 0; i < 40 && !closed; i++) {
      client.publish('v1/devices/me/telemetry', batch(START - 3_000_000 + i * 100_000), { qos: 1 }, (err) => {
        if (!err) acked++
      })
      await new Promise((r) => setTimeout(r, 5))
    }
    await waitFor(async () => (await health()).status === 503, '/healthz to say degraded')
    expect(closed || acked < 40, 'some publish was not acknowledged').toBe(true)

    expect(await health()).toEqual({ status: 503, body: { status: 'degraded' } }) // no token: the status only
    const detailed = await health(h.token)
    expect(detailed.status).toBe(503)
    expect(detailed.body.status).toBe('degraded')
    expect(detailed.body.reasons).toEqual([`last commit failed: SQLITE_FULL: database or disk is full at ${new Date(START + 1000).toISOString()}`])
    expect(await metric('gw_ingest_commit_failures_total')).toBeGreaterThanOrEqual(1)

    // Space again (the operator cleaned up): the next commit succeeds and health is ok again.
    rmSync(filler)
    clock.set(START + 2000)
    const again = await h.connect('full-clamp', secret)
    await again.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: START + 1500, values: { current_a: 6 } }), { qos: 1 })
    expect(await health(h.token)).toMatchObject({ status: 200, body: { status: 'ok', reasons: [] } })
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } })
    const failures = await metric('gw_ingest_commit_failures_total')
    expect(failures).toBeGreaterThanOrEqual(1)
  })
})
