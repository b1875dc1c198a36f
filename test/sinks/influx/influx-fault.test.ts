/**
 * Fault test: a 30-minute commissioning published over MQTT (QoS 1) by a clamp meter and a
 * temperature probe into a real gateway forwarding to a real influxd, which is stopped in
 * the middle of the run and started again later. Every reading the gateway acknowledged
 * must end up in InfluxDB exactly once, with its value; /healthz and /metrics show the
 * outage while it lasts.
 */
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../gateway/clock.js'
import type { ForwarderStats } from '../../../gateway/sinks/influx/forwarder.js'
import { startHarness, waitFor, type Harness } from '../../helpers/gateway-harness.js'
import { influxRows, startInfluxServer, type InfluxServer } from '../../helpers/influx-server.js'

const START = Date.UTC(2026, 10, 27, 8, 0, 0)
const MIN = 60_000
const clock = new ManualClock(START)
let server: InfluxServer
let h: Harness

beforeAll(async () => {
  server = await startInfluxServer()
  h = await startHarness({ clock, env: { GW_INFLUX_URL: server.url, GW_INFLUX_DB: 'hvac' } })
})
afterAll(async () => {
  await h?.close()
  await server?.close()
})

const forwarder = async () => (await h.api<{ forwarder: ForwarderStats }>('GET', '/healthz')).body.forwarder
const publish = (c: MqttClient, payload: unknown) => c.publishAsync('v1/devices/me/telemetry', JSON.stringify(payload), { qos: 1 })

describe('InfluxDB stopped in the middle of a commissioning', () => {
  it('every acknowledged reading ends up in InfluxDB exactly once', async () => {
    const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
    expect((await h.api('POST', '/api/v1/jobs', { id: 'fault-1', rulePack: 'split-ac', unit })).status).toBe(201)
    const clamp = await h.connect('fault-clamp', await h.register('fault-clamp'))
    const probe = await h.connect('fault-probe', await h.register('fault-probe'))
    for (const id of ['fault-clamp', 'fault-probe']) {
      expect((await h.api('POST', '/api/v1/jobs/fault-1/devices', { deviceId: id, at: START })).status).toBe(201)
    }

    let outage: { stats: ForwarderStats; metrics: string } | undefined
    let buffered: unknown[] = []
    for (let ts = START; ts < START + 30 * MIN; ts += 10_000) {
      clock.set(ts + 200)
      if (ts === START + 12 * MIN) await server.stop()
      if (ts === START + 24 * MIN) {
        // The forwarder has noticed and keeps retrying; readings were acknowledged all along.
        await waitFor(async () => (await forwarder()).failures >= 2, 'failed forwarding attempts', 10_000)
        outage = { stats: await forwarder(), metrics: await (await fetch(`${h.httpUrl}/metrics`, { headers: { authorization: `Bearer ${h.token}` } })).text() }
        await server.start()
      }
      const i = (ts - START) / 10_000
      await publish(clamp, { ts, values: { current_a: 5 + (i % 7) / 10, voltage_v: 228 + (i % 5) } })
      // The probe buffers six samples and sends them as one message (store-and-forward).
      buffered.push({ ts, values: { temp_suction_c: 8 + (i % 3) / 4, temp_liquid_c: 36, temp_supply_air_c: 12 + (i % 4) / 8, temp_return_air_c: 24 } })
      if (buffered.length === 6) {
        await publish(probe, buffered)
        buffered = []
      }
    }
    expect(outage, 'the outage happened during the run').toBeDefined()
    expect(outage!.stats).toMatchObject({ enabled: true, state: 'retrying' })
    expect(outage!.stats.backlog).toBeGreaterThan(0)
    expect(outage!.stats.lagMs).toBeGreaterThan(0)
    expect(outage!.stats.lastError).toMatch(/ECONNREFUSED|socket|connect/i)
    expect(outage!.metrics).toMatch(/^gw_forwarder_backlog_readings [1-9]\d*$/m)
    expect(outage!.metrics).toMatch(/^gw_forwarder_failures_total ([2-9]|\d{2,})$/m)
    expect(outage!.metrics).toMatch(/^gw_ingest_readings_stored_total \d+$/m)

    // What the gateway acknowledged: its local log.
    const db = (h.gateway as unknown as { db: import('better-sqlite3').Database }).db
    const acked = db.prepare('SELECT device_id, channel, ts, value FROM readings').all() as { device_id: string; channel: string; ts: number; value: number }[]
    expect(acked).toHaveLength(180 * 6)

    // The backlog is read from the outbox; the forwarded count is the forwarder thread's report, which follows.
    await waitFor(async () => (await forwarder()).backlog === 0, 'the forwarder to catch up', 20_000)
    await waitFor(async () => (await forwarder()).forwarded >= acked.length, 'the forwarder thread to report', 5_000)
    const after = await forwarder()
    expect(after).toMatchObject({ enabled: true, state: 'idle', backlog: 0, lagMs: 0, reroutes: 0 })

    // What InfluxDB has: every point of the job (and any telemetry), one per device and time.
    const points = [
      ...(await influxRows(server.url, 'SELECT * FROM "evidence"."commissioning"', 'hvac')),
      ...(await influxRows(server.url, 'SELECT * FROM "in_service"."telemetry"', 'hvac')),
    ]
    const byPoint = new Map<string, Record<string, unknown>>()
    for (const p of points) {
      const key = `${String(p.device_id)}@${String(p.time)}`
      expect(byPoint.has(key), `point ${key} once`).toBe(false)
      byPoint.set(key, p)
    }
    let fields = 0
    for (const p of byPoint.values()) for (const [k, v] of Object.entries(p)) if (!['time', 'device_id', 'job_id', 'lag_s'].includes(k) && v !== null) fields++
    expect(fields).toBe(acked.length)
    const missing = acked.filter((r) => byPoint.get(`${r.device_id}@${r.ts}`)?.[r.channel] !== r.value)
    expect(missing).toEqual([])
    expect(points.every((p) => p.job_id === 'fault-1')).toBe(true)
    // Receive time travels as lag_s: live clamp readings 0.2 s, the probe's buffered ones up to 50 s late.
    expect(byPoint.get(`fault-clamp@${START}`)?.lag_s).toBe(0.2)
    expect(byPoint.get(`fault-probe@${START}`)?.lag_s).toBe(50.2)
  })
})
