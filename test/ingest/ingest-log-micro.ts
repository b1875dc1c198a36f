/**
 * Micro-benchmark of the ingest log alone (not a test; `npx tsx test/ingest/ingest-log-micro.ts`):
 * commits N timestamped single-reading messages from 100 devices through IngestLog in group
 * commits of 256, synchronous=NORMAL, and prints readings/s. Used to show the dedupe and
 * conflict bookkeeping did not slow the hot path (see the ingest brief's report). Also per
 * CPU-second of this process: on a shared machine wall time mostly measures the neighbours.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog, type IngestEntry } from '../../gateway/store/ingest-log.js'

const N = Number(process.env.MICRO_N ?? 100_000)
const DEVICES = 100
const BATCH = 256
const withSeq = process.env.MICRO_SEQ === '1'
/** Every message sent twice (a redelivery of everything): the path where the key exists already. */
const twice = process.env.MICRO_DUP === '1'
/** Every reading sent with a unit ({"value": 5100, "unit": "mA"}): the as-sent columns are written too. */
const withUnit = process.env.MICRO_UNIT === '1'

async function run(): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-micro-'))
  const db = openDatabase(dir, 'normal')
  const log = new IngestLog(db)
  const t0 = Date.UTC(2026, 0, 1)
  const started = performance.now()
  const cpu0 = process.cpuUsage()
  for (let base = 0; base < N; base += BATCH) {
    const pending: Promise<unknown>[] = []
    for (let i = base; i < Math.min(N, base + BATCH); i++) {
      const entry: IngestEntry = {
        receivedAt: t0 + i,
        samples: [{ deviceId: `d-${i % DEVICES}`, seq: withSeq ? Math.floor(i / DEVICES) : undefined, readings: [{ channel: 'current_a', ts: t0 + i, value: 5 + (i % 7) / 10, ...(withUnit ? { sent: { value: 5000 + (i % 7) * 100, unit: 'mA' } } : {}) }] }],
      }
      pending.push(log.append(entry))
      if (twice) pending.push(log.append({ ...entry, samples: entry.samples.map((x) => ({ ...x, seq: undefined })) }))
    }
    log.flush()
    await Promise.all(pending)
  }
  const ms = performance.now() - started
  const cpu = process.cpuUsage(cpu0)
  db.close()
  rmSync(dir, { recursive: true, force: true })
  const n = twice ? 2 * N : N
  return { wall: n / (ms / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) }
}

const wall: number[] = []
const cpu: number[] = []
for (let r = 0; r < 5; r++) {
  const x = await run()
  wall.push(x.wall)
  cpu.push(x.cpu)
}
const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[2]!)
const what = `${N} readings${withSeq ? ' with seq' : ''}${twice ? ', each sent twice' : ''}${withUnit ? ', each with its unit as sent' : ''}`
console.log(`IngestLog ${what}: median ${median(wall)} readings/s wall, ${median(cpu)} readings per CPU-second`)
