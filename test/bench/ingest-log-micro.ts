/**
 * Micro-bench of the commit path alone: IngestLog.append of 6-channel samples with the outbox on
 * (MICRO_OUTBOX=0: off), µs per reading (a quick before/after check; `npx tsx test/bench/ingest-log-micro.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { INFLUX_SINK } from '../../gateway/sinks/influx/influx-outbox.js'

const CHANNELS = ['pressure_low_kpag', 'pressure_high_kpag', 'temp_suction_c', 'temp_liquid_c', 'current_a', 'voltage_v'] as const
const messages = Number(process.env.MICRO_MESSAGES ?? 20_000)
const dir = mkdtempSync(join(tmpdir(), 'gw-micro-'))
const db = openDatabase(dir, 'normal')
const log = new IngestLog(db, process.env.MICRO_OUTBOX === '0' ? {} : { outboxSinks: [INFLUX_SINK] })
const t0 = process.hrtime.bigint()
let pending: Promise<unknown>[] = []
for (let i = 0; i < messages; i++) {
  const ts = 1_700_000_000_000 + i * 1000
  pending.push(log.append({ receivedAt: ts, samples: [{ deviceId: `m-${i % 20}`, seq: i, readings: CHANNELS.map((channel, k) => ({ channel, ts, value: i + k })) }] }))
  if (pending.length >= 200) {
    await Promise.all(pending)
    pending = []
  }
}
await Promise.all(pending)
const us = Number(process.hrtime.bigint() - t0) / 1000 / (messages * CHANNELS.length)
console.log(`${(us).toFixed(2)} µs/reading over ${messages * CHANNELS.length} readings`)
db.close()
rmSync(dir, { recursive: true, force: true })
