/**
 * InfluxDB through the path the gateway uses: ingest log → outbox → forwarder → a real
 * influxd (started here; the tests fail if it is not installed) → InfluxReadingStore. First
 * the shared ReadingStore contract, then what only the InfluxDB side has: its layout,
 * routing by job attachment, re-routing after a late attachment, verdict points, roll-ups.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../gateway/clock.js'
import type { InfluxConfig } from '../../../gateway/config.js'
import { InfluxForwarder } from '../../../gateway/sinks/influx/forwarder.js'
import { openDatabase, type Db } from '../../../gateway/store/database.js'
import { InfluxConnection } from '../../../gateway/sinks/influx/influx-client.js'
import { configureInfluxOutbox, INFLUX_SINK } from '../../../gateway/sinks/influx/influx-outbox.js'
import { InfluxReadingStore } from '../../../gateway/sinks/influx/influx-reading-store.js'
import { DOWNSAMPLED_FIELDS } from '../../../gateway/sinks/influx/influx-schema.js'
import { IngestLog } from '../../../gateway/store/ingest-log.js'
import { influxRows, startInfluxServer, type InfluxServer } from '../../helpers/influx-server.js'
import { ingestReadings, reading, runReadingStoreContract } from '../../store/reading-store-contract.js'

let server: InfluxServer
let dbCount = 0

beforeAll(async () => {
  server = await startInfluxServer()
})
afterAll(async () => {
  await server?.close()
})

interface Pipeline {
  db: Db
  log: IngestLog
  influx: InfluxConnection
  forwarder: InfluxForwarder
  store: InfluxReadingStore
  clock: ManualClock
  database: string
  close(): Promise<void>
}

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)

/** A fresh SQLite log and a fresh InfluxDB database, joined by a forwarder that is drained by hand. */
function pipeline(now = T0 + 60_000): Pipeline {
  const dir = mkdtempSync(join(tmpdir(), 'gw-influx-store-'))
  const db = openDatabase(dir, 'normal')
  // Attachments are written straight into job_devices here; the jobs and devices they name need not exist.
  db.pragma('foreign_keys = OFF')
  configureInfluxOutbox(db, true)
  const database = `hvac_t${++dbCount}`
  const config: InfluxConfig = { url: server.url, username: undefined, password: undefined, database, batchPoints: 5000, inServiceRetention: '400d' }
  const influx = new InfluxConnection(config)
  const clock = new ManualClock(now)
  const forwarder = new InfluxForwarder({ db, sink: influx, clock, log: () => {}, batchPoints: config.batchPoints })
  return {
    db,
    log: new IngestLog(db, { outboxSinks: [INFLUX_SINK] }),
    influx,
    forwarder,
    store: new InfluxReadingStore(influx),
    clock,
    database,
    close: async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

runReadingStoreContract('InfluxDB (via the outbox and the forwarder)', async () => {
  const p = pipeline()
  return {
    store: p.store,
    write: async (readings) => {
      await ingestReadings(p.log, readings)
      await p.forwarder.drain()
    },
    close: p.close,
  }
})

describe('InfluxDB side', () => {
  let p: Pipeline
  afterEach(async () => {
    await p?.close()
  })
  const rows = (q: string) => influxRows(server.url, q, p.database)
  const attach = (job: string, device: string, at: number, detachedAt: number | null = null) =>
    p.db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at, detached_at) VALUES (?, ?, ?, ?)').run(job, device, at, detachedAt)

  it('creates the database, the retention policies and the hourly continuous query (idempotently)', async () => {
    p = pipeline()
    await p.forwarder.drain()
    await p.influx.setup()
    const rps = await rows(`SHOW RETENTION POLICIES ON "${p.database}"`)
    expect(rps.map((r) => [r.name, r.duration, r.default])).toEqual(
      expect.arrayContaining([
        ['evidence', '0s', false],
        ['in_service', '9600h0m0s', true],
        ['long_term', '0s', false],
      ]),
    )
    const cqs = (await rows('SHOW CONTINUOUS QUERIES')).filter((r) => r.name === 'telemetry_1h' && String(r.query).includes(`ON ${p.database} `))
    expect(cqs).toHaveLength(1)
    const query = String(cqs[0]!.query)
    expect(query).toContain('RESAMPLE EVERY 1h FOR 2h')
    expect(query).toMatch(/INTO .*long_term.*telemetry_1h/)
    for (const f of DOWNSAMPLED_FIELDS) expect(query).toContain(f)
    expect(query).toContain('current_a_mean')
  })

  it('routes by attachment at the device time: one commissioning point per job, telemetry otherwise', async () => {
    p = pipeline()
    attach('job-1', 'clamp-1', T0, T0 + 10_000)
    attach('job-2', 'clamp-1', T0 + 5000)
    const rs = [-1, 0, 5, 10, 11].map((s) => reading('clamp-1', 'current_a', T0 + s * 1000, 5 + s, T0 + s * 1000 + 100))
    await ingestReadings(p.log, rs)
    await p.forwarder.drain()
    const com = await rows('SELECT "current_a", "lag_s", "job_id", "device_id" FROM "evidence"."commissioning"')
    expect(com.map((r) => [r.job_id, r.time, r.current_a]).sort()).toEqual(
      [
        ['job-1', T0, 5],
        ['job-1', T0 + 5000, 10],
        ['job-1', T0 + 10_000, 15],
        ['job-2', T0 + 5000, 10],
        ['job-2', T0 + 10_000, 15],
        ['job-2', T0 + 11_000, 16],
      ].sort(),
    )
    expect(com.every((r) => r.lag_s === 0.1 && r.device_id === 'clamp-1')).toBe(true)
    const tel = await rows('SELECT * FROM "in_service"."telemetry"')
    expect(tel.map((r) => [r.device_id, r.time, r.current_a])).toEqual([['clamp-1', T0 - 1000, 4]])
    // Read back once per reading, whatever the number of jobs.
    expect(await p.store.query({ deviceIds: ['clamp-1'], channel: 'current_a', from: T0 - 5000, to: T0 + 20_000 })).toEqual(rs)
    // The attachments existed before the readings came, yet they re-queued their windows (3 + 3 readings): harmless rewrites.
    expect(p.forwarder.stats()).toMatchObject({ enabled: true, backlog: 0, lagMs: 0, forwarded: 5 + 6, failures: 0, reroutes: 0 })
  })

  it('a job attached late (at in the past) re-routes the readings already forwarded as telemetry', async () => {
    p = pipeline()
    const rs = Array.from({ length: 20 }, (_, i) => reading('unit-9', 'temp_supply_air_c', T0 + i * 60_000, 12 + i / 10))
    await ingestReadings(p.log, rs)
    await p.forwarder.drain()
    expect(await rows('SELECT count("temp_supply_air_c") FROM "in_service"."telemetry"')).toMatchObject([{ count: 20 }])

    attach('job-late', 'unit-9', T0 + 5 * 60_000) // from minute 5 on
    expect(p.forwarder.stats().reroutes).toBe(1)
    await p.forwarder.drain()
    expect(await rows('SELECT count("temp_supply_air_c") FROM "in_service"."telemetry"')).toMatchObject([{ count: 5 }])
    const com = await rows('SELECT "temp_supply_air_c", "job_id" FROM "evidence"."commissioning"')
    expect(com.map((r) => r.time)).toEqual(rs.slice(5).map((r) => r.ts))
    expect(com.every((r) => r.job_id === 'job-late')).toBe(true)

    // Detached late: from minute 15 on the unit was in service again.
    p.db.prepare('UPDATE job_devices SET detached_at = ? WHERE job_id = ?').run(T0 + 15 * 60_000, 'job-late')
    await p.forwarder.drain()
    const tel = await rows('SELECT "temp_supply_air_c" FROM "in_service"."telemetry"')
    expect(tel.map((r) => r.time)).toEqual([...rs.slice(0, 5), ...rs.slice(16)].map((r) => r.ts))
    expect(await rows('SELECT count("temp_supply_air_c") FROM "evidence"."commissioning"')).toMatchObject([{ count: 11 }])
    // Every reading still read back exactly once.
    expect(await p.store.query({ deviceIds: ['unit-9'], channel: 'temp_supply_air_c', from: T0, to: T0 + 3_600_000 })).toEqual(rs)
    expect(p.forwarder.stats()).toMatchObject({ reroutes: 0, backlog: 0 })
  })

  it('channels of one device time sent in separate messages make one whole point with the earliest lag', async () => {
    p = pipeline()
    await ingestReadings(p.log, [reading('meter-1', 'pressure_low_kpag', T0, 812.5, T0 + 1000)])
    await p.forwarder.drain()
    await ingestReadings(p.log, [reading('meter-1', 'temp_suction_c', T0, 8.25, T0 + 9000)])
    await p.forwarder.drain()
    const pts = await rows('SELECT * FROM "in_service"."telemetry"')
    expect(pts).toEqual([expect.objectContaining({ time: T0, device_id: 'meter-1', pressure_low_kpag: 812.5, temp_suction_c: 8.25, lag_s: 1 })])
  })

  it('a batch sent again (crash between the write and the delete) leaves every point once, unchanged', async () => {
    p = pipeline()
    attach('job-1', 'meter-1', T0)
    const rs = Array.from({ length: 300 }, (_, i) => reading('meter-1', 'vacuum_micron', T0 + i * 1000, 5000 - i))
    await ingestReadings(p.log, rs)
    const saved = p.db.prepare("SELECT id, key, at, queued_at, n, upto FROM outbox WHERE sink = 'influx'").all() as { id: number; key: string; at: number; queued_at: number; n: number; upto: number }[]
    await p.forwarder.drain()
    const before = await rows('SELECT * FROM "evidence"."commissioning"')
    const again = p.db.prepare("INSERT INTO outbox (sink, id, key, at, queued_at, n, upto) VALUES ('influx', ?, ?, ?, ?, ?, ?)")
    for (const r of saved) again.run(r.id, r.key, r.at, r.queued_at, r.n, r.upto)
    await p.forwarder.drain()
    expect(await rows('SELECT * FROM "evidence"."commissioning"')).toEqual(before)
    expect(before).toHaveLength(300)
  })

  it('writeVerdict: verdict and check_result points with integer value fields, kept with the evidence', async () => {
    p = pipeline()
    p.forwarder.writeVerdict({
      jobId: 'job-7',
      installerId: 'inst-3',
      rulePack: { id: 'split-ac', version: '2' },
      status: 'fail',
      steps: [
        {
          id: 'test_run',
          checks: [
            { id: 'duration', status: 'fail', clause: 'S1', severity: 'major', measured: 1200.5 },
            { id: 'current_within_rating', status: 'pass', clause: 'S2' },
            { id: 'evidence_live', status: 'fail', override: { status: 'pass' } },
          ],
        },
      ],
      at: T0 + 1234,
    })
    await p.forwarder.drain()
    expect(await rows('SELECT * FROM "evidence"."verdict"')).toEqual([
      { time: T0 + 1234, job_id: 'job-7', installer_id: 'inst-3', rule_pack: 'split-ac@2', status: 'fail', value: 1, failed_checks: 1 },
    ])
    const checks = await rows('SELECT * FROM "evidence"."check_result"')
    expect(checks.map((c) => [c.check, c.status, c.clause, c.severity, c.measured, c.value])).toEqual(
      expect.arrayContaining([
        ['duration', 'fail', 'S1', 'major', 1200.5, 1],
        ['current_within_rating', 'pass', 'S2', null, null, 1],
        ['evidence_live', 'pass', null, null, null, 1],
      ]),
    )
    const types = await rows('SHOW FIELD KEYS FROM "evidence"."verdict"')
    expect(Object.fromEntries(types.map((t) => [t.fieldKey, t.fieldType]))).toEqual({ failed_checks: 'integer', value: 'integer' })
    expect(p.forwarder.stats().verdicts).toBe(0)
  })

  it('telemetry too late for the continuous query is rolled up hourly by the forwarder: <channel>_mean/_min/_max', async () => {
    p = pipeline(T0 + 3 * 86_400_000) // three days later
    const rs = [0, 10, 20, 59].map((m, i) => reading('unit-2', 'current_a', T0 + m * 60_000, [4, 6, 5, 9][i]!))
    rs.push(reading('unit-2', 'current_a', T0 + 61 * 60_000, 7))
    await ingestReadings(p.log, rs)
    await p.forwarder.drain()
    const hourly = await rows('SELECT "current_a_mean", "current_a_min", "current_a_max", "device_id" FROM "long_term"."telemetry_1h"')
    expect(hourly).toEqual([
      expect.objectContaining({ time: T0, device_id: 'unit-2', current_a_mean: 6, current_a_min: 4, current_a_max: 9 }),
      expect.objectContaining({ time: T0 + 3_600_000, device_id: 'unit-2', current_a_mean: 7, current_a_min: 7, current_a_max: 7 }),
    ])
  })
})
