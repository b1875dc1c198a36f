/**
 * The forwarder in its own thread (gateway/sinks/influx/forwarder-host.ts), against a real
 * influxd: it forwards while the ingest keeps writing to the same database, it reads the
 * gateway's clock (a manual one here), a thread that dies is restarted without losing a
 * reading, and a stopped one leaves what it did not forward in the outbox for the next start.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../gateway/clock.js'
import type { InfluxConfig } from '../../../gateway/config.js'
import { ForwarderHost } from '../../../gateway/sinks/influx/forwarder-host.js'
import { openDatabase, type Db } from '../../../gateway/store/database.js'
import { configureInfluxOutbox, INFLUX_SINK } from '../../../gateway/sinks/influx/influx-outbox.js'
import { IngestLog } from '../../../gateway/store/ingest-log.js'
import { waitFor } from '../../helpers/gateway-harness.js'
import { influxRows, startInfluxServer, telemetryReadings, type InfluxServer } from '../../helpers/influx-server.js'
import { ingestReadings, reading } from '../../store/reading-store-contract.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const HOUR = 3_600_000

let server: InfluxServer
let dbCount = 0
beforeAll(async () => {
  server = await startInfluxServer()
})
afterAll(async () => {
  await server?.close()
})

interface Setup {
  dir: string
  db: Db
  log: IngestLog
  clock: ManualClock
  influx: InfluxConfig
  hosts: ForwarderHost[]
  host(): ForwarderHost
}

let s: Setup | undefined
afterEach(async () => {
  if (!s) return
  for (const h of s.hosts) await h.stop()
  s.db.close()
  rmSync(s.dir, { recursive: true, force: true })
  s = undefined
})

function setup(now: number): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'gw-fwd-host-'))
  const db = openDatabase(dir, 'normal')
  configureInfluxOutbox(db, true)
  const clock = new ManualClock(now)
  const influx: InfluxConfig = { url: server.url, username: undefined, password: undefined, database: `hvac_host${++dbCount}`, batchPoints: 1000, inServiceRetention: '400d' }
  const hosts: ForwarderHost[] = []
  s = {
    dir,
    db,
    log: new IngestLog(db, { outboxSinks: [INFLUX_SINK] }),
    clock,
    influx,
    hosts,
    host: () => {
      const h = new ForwarderHost({ db, dataDir: dir, sync: 'normal', influx, clock, log: () => {}, restart: { baseMs: 20, capMs: 40 } })
      hosts.push(h)
      return h
    },
  }
  return s
}

/** `n` one-reading messages of device `device`, a second apart from `from`. */
const readings = (device: string, from: number, n: number, receivedAt?: number) =>
  Array.from({ length: n }, (_, i) => reading(device, 'current_a', from + i * 1000, 5 + (i % 10) / 10, receivedAt))

const inInflux = (database: string) => telemetryReadings(server.url, database)

describe('forwarder thread', () => {
  it('forwards while the ingest keeps writing to the same database: every reading once, stats current', async () => {
    const { log, clock, influx, host } = setup(T0)
    const h = host()
    h.start()
    // 20 commits of 500 readings while the thread reads and deletes outbox rows on its own
    // connection (two-connections.test.ts pins down the locking this relies on).
    for (let round = 0; round < 20; round++) {
      const from = T0 - HOUR + round * 500_000
      clock.set(from + 500_000)
      await ingestReadings(log, readings('unit-1', from, 500, from + 500_000))
    }
    await waitFor(() => h.stats().backlog === 0, 'the backlog to empty', 20_000)
    await waitFor(() => h.stats().forwarded === 10_000, 'the thread to report', 5_000)
    expect(h.stats()).toMatchObject({ enabled: true, state: 'idle', backlog: 0, lagMs: 0, failures: 0, lastError: null })
    expect(await inInflux(influx.database)).toBe(10_000)
  })

  it('reads the gateway clock, not the system clock: telemetry late by the manual clock is rolled up', async () => {
    // Three days after the readings by the manual clock; by the system clock they are not late at all.
    const { log, influx, host } = setup(T0 + 3 * 86_400_000)
    await ingestReadings(log, [...readings('unit-2', T0, 3), reading('unit-2', 'current_a', T0 + HOUR, 9)])
    const h = host()
    h.start()
    await waitFor(() => h.stats().backlog === 0 && h.stats().rollups === 0 && h.stats().forwarded === 4, 'forwarding and roll-up', 20_000)
    const hourly = await influxRows(server.url, 'SELECT "current_a_max", "device_id" FROM "long_term"."telemetry_1h"', influx.database)
    expect(hourly.map((r) => [r.time, r.current_a_max])).toEqual([
      [T0, 5.2],
      [T0 + HOUR, 9],
    ])
  })

  it('restarts a thread that died, and loses nothing', async () => {
    const { log, clock, influx, host } = setup(T0)
    const h = host()
    h.start()
    await ingestReadings(log, readings('unit-3', T0 - HOUR, 100))
    await waitFor(() => h.stats().forwarded === 100, 'the first readings', 20_000)

    const worker = (h as unknown as { worker: Worker }).worker
    await worker.terminate()
    const dead = h.stats()
    expect(dead).toMatchObject({ state: 'retrying', forwarded: 100 })
    expect(dead.lastError).toMatch(/^forwarder thread exited \(code 1\); restarting in \d+ ms$/)
    expect(dead.failures).toBe(1)

    clock.set(T0 + 1000)
    await ingestReadings(log, readings('unit-3', T0 - HOUR + 100_000, 100))
    await waitFor(() => h.stats().forwarded === 200 && h.stats().state === 'idle', 'the restarted thread', 20_000)
    expect(h.stats()).toMatchObject({ backlog: 0, failures: 1 })
    expect(await inInflux(influx.database)).toBe(200)
  })

  it('stop() leaves what it has not forwarded in the outbox; the next start forwards it', async () => {
    const { log, influx, host } = setup(T0)
    const first = host()
    first.start()
    await first.stop()
    expect(first.stats()).toMatchObject({ state: 'stopped' })
    await ingestReadings(log, readings('unit-4', T0 - HOUR, 50))
    expect(first.stats()).toMatchObject({ state: 'stopped', backlog: 50 })
    expect(await inInflux(influx.database)).toBe(0)

    const second = host()
    second.start()
    await waitFor(() => second.stats().backlog === 0 && second.stats().forwarded === 50, 'the next start', 20_000)
    expect(await inInflux(influx.database)).toBe(50)
  })
})
