/**
 * The evaluation thread: verdicts computed off the gateway's event loop, on the thread's own
 * SQLite connection. If the thread dies (here: its heap limit, on a job too big for it),
 * the evaluation in flight is rejected — the monitor shows it as that job's failed
 * evaluation — and the next request starts a new thread: other jobs are still judged.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EvaluationHost } from '../../gateway/jobs/evaluation-host.js'
import { loadJobContext } from '../../gateway/jobs/job-context.js'
import { noJobFacts } from '../helpers/job-facts.js'
import { JobRepository } from '../../gateway/jobs/job-repository.js'
import type { LogLevel } from '../../gateway/log.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const pack = loadRulePacks(defaultPacksDir()).get('split-ac')!
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1 as const, ratedCurrentA: 7.5 }

let dir: string
let db: Db
let jobs: JobRepository
const lines: { level: LogLevel; msg: string }[] = []
let host: EvaluationHost | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-host-'))
  db = openDatabase(dir, 'normal')
  jobs = new JobRepository(db)
  lines.length = 0
})
afterEach(async () => {
  await host?.stop()
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

async function job(id: string, deviceId: string, readings: number): Promise<void> {
  db.prepare("INSERT INTO devices (id, kind, model, secret_hash, created_at) VALUES (?, 'meter', NULL, x'00', 0)").run(deviceId)
  jobs.create({ id, installerId: null, rulePack: { id: pack.id, version: pack.version }, unit, createdAt: T0 }, pack)
  jobs.attach(id, deviceId, T0)
  jobs.addMarker(id, { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} })
  const log = new IngestLog(db)
  const rs = []
  for (let i = 0; i < readings; i++) rs.push({ channel: 'current_a' as const, ts: T0 + 1000 + i * 100, value: 5 })
  await log.append({ receivedAt: T0, samples: [{ deviceId, readings: rs }] })
}

const ctx = (jobId: string) => loadJobContext(jobs, noJobFacts, jobId, T0 + 3600_000)!

describe('EvaluationHost', () => {
  it('judges a job in its thread from the shared SQLite file, and gets newly stored readings from the gateway', async () => {
    await job('small', 'clamp', 10)
    host = new EvaluationHost({ dataDir: dir, sync: 'normal', siteUtcOffsetMinutes: 0, log: (level, msg) => lines.push({ level, msg }) })
    const first = await host.evaluate(ctx('small'))
    expect(first.verdict).toMatchObject({ jobId: 'small', status: 'in_progress' })
    expect(first.cache).toMatchObject({ cachedReadings: 10, loadedReadings: 10 })
    host.add([{ deviceId: 'clamp', channel: 'current_a', ts: T0 + 5000, value: 5, receivedAt: T0 + 5000 }])
    const second = await host.evaluate(ctx('small'))
    expect(second.cache).toMatchObject({ cachedReadings: 11, loadedReadings: 10 })
  })

  it('a thread that dies fails the evaluation in flight; the next request gets a new thread', async () => {
    await job('small', 'clamp', 10)
    await job('huge', 'clamp-huge', 600_000)
    // A heap too small for 600,000 readings (tsx and the gateway's modules fit).
    host = new EvaluationHost({ dataDir: dir, sync: 'normal', siteUtcOffsetMinutes: 0, maxHeapMb: 64, log: (level, msg) => lines.push({ level, msg }) })
    expect((await host.evaluate(ctx('small'))).verdict.status).toBe('in_progress')
    await expect(host.evaluate(ctx('huge'))).rejects.toThrow(/the evaluation thread exited/)
    expect(host.crashes).toBe(1)
    expect(lines.some((l) => l.level === 'error' && l.msg.includes('the evaluation thread exited'))).toBe(true)
    const after = await host.evaluate(ctx('small'))
    expect(after.verdict.status).toBe('in_progress')
    expect(after.cache.loadedReadings).toBe(10) // a new thread: loaded again from SQLite
  }, 60_000)

  it('an evaluation not answered in time ends the thread: a hung evaluator would hold up every job', async () => {
    await job('small', 'clamp', 10)
    await job('slow', 'clamp-slow', 20_000)
    host = new EvaluationHost({ dataDir: dir, sync: 'normal', siteUtcOffsetMinutes: 0, evaluationTimeoutMs: 1, log: (level, msg) => lines.push({ level, msg }) })
    // 1 ms is shorter than any answer from the thread (starting it, loading 20,000 readings): it is ended mid-way.
    await expect(host.evaluate(ctx('slow'))).rejects.toThrow(/exited \(code \d+\): job slow was not evaluated within 1 ms/)
    expect(host.crashes).toBe(1)
  }, 60_000)
})
