/**
 * One-off measurement (issue 8, "The ack path must not slow down as jobs grow"): PUBACK
 * latency of unrelated devices while a job with ~500,000 readings in an open tightness step
 * receives live readings at ~10 Hz, against the same run without that job.
 *
 *   npx tsx test/jobs/measure-puback-latency.ts [seconds=20] [readings=500000]
 *
 * The gateway runs in this process (test harness, real broker over TCP, real SQLite); the
 * load clients are real mqtt.js clients in the same process, equally in both runs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChannelName } from '../../contract/channels.js'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { startHarness } from '../helpers/gateway-harness.js'

const seconds = Number(process.argv[2] ?? 20)
const total = Number(process.argv[3] ?? 500_000)
const OTHERS = 8
const OTHER_HZ = 20
const unit = { model: 'VRF-10', invoiceModel: 'VRF-10', capacityHp: 10, refrigerant: 'R410A', phases: 3, ratedCurrentA: 20, type: 'vrf' }
const CHANNELS: [ChannelName, number][] = [['pressure_high_kpag', 4050], ['pressure_low_kpag', 4040], ['temp_pipe_c', 20]]

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

async function run(withJob: boolean) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-lat-'))
  const now = Date.now()
  const perSeries = Math.ceil(total / 6)
  const t0 = now - perSeries * 1000
  if (withJob) {
    const db = openDatabase(dataDir, 'normal')
    const log = new IngestLog(db)
    for (const deviceId of ['big-a', 'big-b']) {
      for (const [channel, value] of CHANNELS) {
        const readings = []
        for (let i = 0; i < perSeries; i++) readings.push({ channel, ts: t0 + i * 1000, value })
        await log.append({ receivedAt: now, samples: [{ deviceId, readings }] })
      }
    }
    log.flush()
    db.close()
  }
  const h = await startHarness({ dataDir })
  const live = await h.connect('big-a', await h.register('big-a'))
  await h.register('big-b')
  if (withJob) {
    await h.api('POST', '/api/v1/jobs', { id: 'vrf', rulePack: 'vrf-r410a', unit })
    for (const d of ['big-a', 'big-b']) await h.api('POST', '/api/v1/jobs/vrf/devices', { deviceId: d, at: t0 - 1000 })
    await h.api('POST', '/api/v1/jobs/vrf/steps/tightness/start', { at: t0 - 500, facts: { gas: 'nitrogen' } })
    const v = await h.api<{ status: string }>('GET', '/api/v1/jobs/vrf/verdict') // loads the cache
    console.log(`  job loaded: verdict ${v.status} ${v.body.status}; ${JSON.stringify(h.gateway.monitor!.stats())}`)
  }
  const others = []
  for (let i = 0; i < OTHERS; i++) others.push(await h.connect(`other-${i}`, await h.register(`other-${i}`)))
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const liveLoop = (async () => {
    while (performance.now() < deadline) {
      await live.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: Date.now(), values: { pressure_high_kpag: 4050 } }), { qos: 1 })
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  const otherLoops = others.map(async (c) => {
    while (performance.now() < deadline) {
      const sent = performance.now()
      await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ current_a: 5.2 }), { qos: 1 })
      latencies.push(performance.now() - sent)
      await new Promise((r) => setTimeout(r, 1000 / OTHER_HZ))
    }
  })
  await Promise.all([liveLoop, ...otherLoops])
  const stats = h.gateway.monitor!.stats()
  await h.close()
  rmSync(dataDir, { recursive: true, force: true })
  return { withJob, pubacks: latencies.length, p50: pct(latencies, 50), p99: pct(latencies, 99), max: pct(latencies, 100), evaluations: stats.evaluations, lastEvaluationMs: stats.lastEvaluationMs, cachedReadings: stats.cachedReadings }
}

const fmt = (r: Awaited<ReturnType<typeof run>>) =>
  `${r.withJob ? `with a ${total}-reading job` : 'without the job     '}: ${r.pubacks} PUBACKs, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms; evaluations ${r.evaluations}, last ${r.lastEvaluationMs} ms, cached ${r.cachedReadings}`
const without = await run(false)
console.log(fmt(without))
const withJob = await run(true)
console.log(fmt(withJob))
console.log(`p99 ratio ${(withJob.p99 / without.p99).toFixed(2)} (target <= 1.5)`)
process.exit(0)
