/**
 * Micro-bench of the forwarder alone: M points of 8 readings (4 devices, live telemetry)
 * committed with the outbox on, then drained into a fresh influxd by InfluxForwarder.drain();
 * CPU of this process (the forwarder's work) and of influxd per point
 * (`npx tsx test/bench/forward-micro.ts`; FWD_MESSAGES, FWD_BATCH).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { INFLUX_SINK, configureInfluxOutbox } from '../../gateway/sinks/influx/influx-outbox.js'
import { InfluxForwarder } from '../../gateway/sinks/influx/forwarder.js'
import { InfluxConnection } from '../../gateway/sinks/influx/influx-client.js'
import { startInfluxServer, telemetryReadings } from '../helpers/influx-server.js'
import { processCpuSeconds } from './influx-path.js'

const CHANNELS = ['pressure_low_kpag', 'pressure_high_kpag', 'temp_suction_c', 'temp_liquid_c', 'temp_supply_air_c', 'temp_return_air_c', 'current_a', 'voltage_v'] as const

async function main(): Promise<void> {
  const messages = Number(process.env.FWD_MESSAGES ?? 100_000)
  const batchPoints = Number(process.env.FWD_BATCH ?? 5000)
  const dir = mkdtempSync(join(tmpdir(), 'gw-fwd-micro-'))
  const db = openDatabase(dir, 'normal')
  configureInfluxOutbox(db, true)
  const log = new IngestLog(db, { outboxSinks: [INFLUX_SINK] })
  const now = Date.now()
  let pending: Promise<unknown>[] = []
  for (let i = 0; i < messages; i++) {
    const ts = now - 600_000 + Math.floor(i / 4)
    pending.push(log.append({ receivedAt: now, samples: [{ deviceId: `dev-${i % 4}`, readings: CHANNELS.map((channel, k) => ({ channel, ts, value: 100.5 + k + (i % 1000) / 10 })) }] }))
    if (pending.length >= 400) {
      await Promise.all(pending)
      pending = []
    }
  }
  await Promise.all(pending)
  const influx = await startInfluxServer()
  try {
    const sink = new InfluxConnection({ url: influx.url, database: 'fwd', username: undefined, password: undefined, batchPoints, inServiceRetention: '400d' })
    await sink.setup()
    const forwarder = new InfluxForwarder({ db, sink, clock: { now: () => Date.now() }, log: () => undefined, batchPoints })
    const i0 = processCpuSeconds(influx.pid) ?? 0
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await forwarder.drain()
    const wall = performance.now() - t0
    const c = process.cpuUsage(c0)
    const influxMs = ((processCpuSeconds(influx.pid) ?? 0) - i0) * 1000
    const cpuMs = (c.user + c.system) / 1000
    console.log(`forwarded ${messages} points (${batchPoints}/request): wall ${wall.toFixed(0)} ms; forwarder CPU ${cpuMs.toFixed(0)} ms = ${((cpuMs * 1000) / messages).toFixed(2)} µs/point; influxd CPU ${influxMs.toFixed(0)} ms`)
    // Every reading committed must be in InfluxDB once (a miss is an error, not a slow run).
    const inInflux = await telemetryReadings(influx.url, 'fwd')
    if (inInflux !== messages * CHANNELS.length) throw new Error(`${inInflux} readings in InfluxDB of ${messages * CHANNELS.length} committed`)
    console.log(`in InfluxDB: all ${inInflux} readings`)
  } finally {
    await influx.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void main().then(() => process.exit(0))
