/**
 * /metrics in the Prometheus conventions (prom-client): every metric family has HELP and
 * TYPE, latencies are histograms that count what happened, other modules register their own
 * metrics on the gateway's registry, and a separate GW_METRICS_TOKEN reads /metrics only.
 */
import { Counter } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const METRICS_TOKEN = 'scraper-token-0123456789'
let h: Harness

beforeAll(async () => {
  h = await startHarness({ env: { GW_METRICS_TOKEN: METRICS_TOKEN } })
})
afterAll(async () => {
  await h?.close()
})

const scrape = async (token = h.token): Promise<string> => {
  const res = await fetch(`${h.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  return res.text()
}
const sample = (text: string, name: string): number => {
  const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)
  if (!m) throw new Error(`${name} not in /metrics`)
  return Number(m[1])
}

describe('/metrics', () => {
  it('has HELP and TYPE for every metric family it serves', async () => {
    const text = await scrape()
    const help = new Set<string>()
    const type = new Map<string, string>()
    const families = new Set<string>()
    for (const line of text.split('\n')) {
      let m: RegExpExecArray | null
      if ((m = /^# HELP (\S+) \S/.exec(line))) help.add(m[1]!)
      else if ((m = /^# TYPE (\S+) (counter|gauge|histogram|summary)$/.exec(line))) type.set(m[1]!, m[2]!)
      else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? \S+$/.exec(line))) families.add(m[1]!)
      else expect(line, 'every line is HELP, TYPE or a sample').toBe('')
    }
    expect(families.size).toBeGreaterThan(20)
    for (const name of families) {
      const family = type.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '')
      expect(type.get(family), `TYPE of ${name}`).toBeDefined()
      expect(help.has(family), `HELP of ${name}`).toBe(true)
    }
    expect(type.get('gw_ingest_commit_duration_seconds')).toBe('histogram')
    expect(type.get('gw_ingest_publish_ack_path_seconds')).toBe('histogram')
    expect(type.get('gw_ingest_commit_failures_total')).toBe('counter')
    expect(type.get('gw_ingest_readings_stored_total')).toBe('counter')
    expect(type.get('gw_forwarder_backlog_readings')).toBe('gauge')
    expect(type.get('process_resident_memory_bytes')).toBe('gauge')
  })

  it('the histograms count each publish and each commit', async () => {
    const before = await scrape()
    const client = await h.connect('metrics-clamp', await h.register('metrics-clamp'))
    for (let i = 0; i < 3; i++) await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: Date.now() - 60_000 + i, values: { current_a: 5 } }), { qos: 1 })
    const after = await scrape()
    const delta = (name: string) => sample(after, name) - sample(before, name)
    expect(delta('gw_ingest_publish_ack_path_seconds_count')).toBe(3)
    expect(delta('gw_ingest_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(delta('gw_ingest_commit_duration_seconds_count')).toBeLessThanOrEqual(3)
    expect(delta('gw_ingest_readings_stored_total')).toBe(3)
    expect(sample(after, 'gw_ingest_publish_ack_path_seconds_bucket{le="+Inf"}')).toBe(sample(after, 'gw_ingest_publish_ack_path_seconds_count'))
    expect(sample(after, 'gw_ingest_commit_failures_total')).toBe(0)
  })

  it('counts the checkpoint thread’s checkpoints, which copy back what the ingest committed', async () => {
    const client = await h.connect('metrics-checkpoint', await h.register('metrics-checkpoint'))
    const before = sample(await scrape(), 'gw_sqlite_checkpoints_total')
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: Date.now() - 60_000, values: { current_a: 5 } }), { qos: 1 })
    let text = ''
    await waitFor(async () => sample((text = await scrape()), 'gw_sqlite_checkpoints_total') > before, 'a checkpoint after the commit')
    expect(sample(text, 'gw_sqlite_checkpoint_failures_total')).toBe(0)
    expect(sample(text, 'gw_sqlite_wal_frames')).toBeGreaterThan(0)
    const health = (await (await fetch(`${h.httpUrl}/healthz`, { headers: { authorization: `Bearer ${h.token}` } })).json()) as { checkpoint?: { running: boolean; lastError: string | null } }
    expect(health.checkpoint).toMatchObject({ running: true, lastError: null })
  })

  it('serves what another module registered on the gateway registry', async () => {
    const counter = new Counter({ name: 'gw_test_widgets_total', help: 'Widgets seen by a module under test', registers: [h.gateway.metrics.registry] })
    counter.inc(7)
    const text = await scrape()
    expect(text).toContain('# HELP gw_test_widgets_total Widgets seen by a module under test')
    expect(text).toContain('# TYPE gw_test_widgets_total counter')
    expect(sample(text, 'gw_test_widgets_total')).toBe(7)
  })

  it('GW_METRICS_TOKEN reads /metrics and nothing else', async () => {
    expect(sample(await scrape(METRICS_TOKEN), 'gw_ingest_commit_failures_total')).toBe(0)
    const api = await fetch(`${h.httpUrl}/api/v1/quarantine`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(api.status).toBe(401)
    const health = await fetch(`${h.httpUrl}/healthz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(health.status).toBe(401)
  })
})
