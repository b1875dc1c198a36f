/**
 * The dedupe state that must outlive a restart: the per-device clock of timestamp-less
 * readings (a burst can run it ahead of the wall clock; a restart within that lead must not
 * reuse a device time) and each device's seq epoch. Two gateways in turn on one data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const dataDir = mkdtempSync(join(tmpdir(), 'gw-restart-'))
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
const open: Harness[] = []

afterAll(async () => {
  for (const h of open) await h.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function start(clock: ManualClock): Promise<Harness> {
  const h = await startHarness({ clock, dataDir })
  open.push(h)
  return h
}

async function stop(h: Harness): Promise<void> {
  open.splice(open.indexOf(h), 1)
  await h.close()
}

it('after a restart, timestamp-less readings continue after the last device time given, and seq epochs continue', async () => {
  const clock = new ManualClock(T0)
  const first = await start(clock)
  const secret = await first.register('rs-1')
  expect((await first.api('POST', '/api/v1/jobs', { id: 'rs-job', rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await first.api('POST', '/api/v1/jobs/rs-job/devices', { deviceId: 'rs-1', at: T0 - 86_400_000 })).status).toBe(201)
  const c1 = await first.connect('rs-1', secret)
  for (const v of [1, 2, 3, 4]) await c1.publishAsync('v1/devices/me/telemetry', JSON.stringify({ current_a: v }), { qos: 1 })
  await c1.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 5000, seq: 40, values: { voltage_v: 230 } }), { qos: 1 })
  await stop(first)

  // Restarted 1 ms later: the first run gave T0 .. T0+3 already.
  clock.set(T0 + 1)
  const second = await start(clock)
  const c2 = await second.connect('rs-1', secret)
  await c2.publishAsync('v1/devices/me/telemetry', JSON.stringify({ current_a: 5 }), { qos: 1 })
  // seq 40 again: still the same epoch, a duplicate; then 3: the counter went back, a new epoch, stored.
  await c2.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 4000, seq: 40, values: { voltage_v: 231 } }), { qos: 1 })
  await c2.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 3000, seq: 3, values: { voltage_v: 232 } }), { qos: 1 })

  const get = async (channel: string) =>
    (await second.api<{ points: [number, number][] }>('GET', `/api/v1/jobs/rs-job/readings?channel=${channel}&to=${T0 + 60_000}`)).body.points
  expect(await get('current_a')).toEqual([[T0, 1], [T0 + 1, 2], [T0 + 2, 3], [T0 + 3, 4], [T0 + 4, 5]])
  expect(await get('voltage_v')).toEqual([[T0 - 5000, 230], [T0 - 3000, 232]])
  expect(second.gateway.ingest!.counters.duplicates).toBe(1)
})
