/**
 * The monitor's scheduling and containment, on a real SQLite store with the evaluator in
 * this thread: bursts coalesce, at most one evaluation of a job runs at a time, the verdict
 * API gets a current verdict, and a failing job is logged at most once a minute.
 */
import { noJobFacts } from '../helpers/job-facts.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import type { Reading } from '../../contract/reading.js'
import type { JobContext } from '../../gateway/jobs/job-context.js'
import { InlineEvaluator, type EvaluationOutcome, type JobEvaluator } from '../../gateway/jobs/job-evaluator.js'
import { JobMonitor } from '../../gateway/jobs/job-monitor.js'
import { JobRepository } from '../../gateway/jobs/job-repository.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const pack = loadRulePacks(defaultPacksDir()).get('split-ac')!
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1 as const, ratedCurrentA: 7.5 }

/** The real evaluator, watched: how many evaluations, and how many of one job at once. */
class Watched implements JobEvaluator {
  calls = 0
  running = 0
  maxRunning = 0
  constructor(private readonly inner: InlineEvaluator) {}
  add(rs: readonly Reading[]): void {
    this.inner.add(rs)
  }
  forget(jobId: string): void {
    this.inner.forget(jobId)
  }
  async evaluate(ctx: JobContext): Promise<EvaluationOutcome> {
    this.calls++
    this.maxRunning = Math.max(this.maxRunning, ++this.running)
    try {
      await new Promise((r) => setTimeout(r, 5)) // as long as a message to the thread and back, at least
      return await this.inner.evaluate(ctx)
    } finally {
      this.running--
    }
  }
  stop = () => this.inner.stop()
}

let dir: string
let db: Db
let jobs: JobRepository
let clock: ManualClock
let lines: { level: string; msg: string; fields?: Record<string, unknown> }[]
let evaluator: Watched
let monitor: JobMonitor
let log: IngestLog

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-monitor-'))
  db = openDatabase(dir, 'normal')
  jobs = new JobRepository(db)
  log = new IngestLog(db)
  clock = new ManualClock(T0)
  lines = []
  for (const [id, device] of [['j', 'clamp'], ['k', 'clamp-k']] as const) {
    db.prepare("INSERT INTO devices (id, kind, model, secret_hash, created_at) VALUES (?, 'meter', NULL, x'00', 0)").run(device)
    jobs.create({ id, installerId: null, rulePack: { id: pack.id, version: pack.version }, unit, createdAt: T0 }, pack)
    jobs.attach(id, device, T0)
    jobs.addMarker(id, { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} })
  }
  evaluator = new Watched(new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: 0 }))
  monitor = new JobMonitor({ jobs, evaluator, clock, log: (level, msg, fields) => lines.push({ level, msg, ...(fields ? { fields } : {}) }), facts: noJobFacts })
  monitor.start()
})
afterEach(async () => {
  await monitor.stop()
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const reading = (ts: number): Reading => ({ deviceId: 'clamp', channel: 'current_a', ts, value: 5, receivedAt: ts })

/** As the ingest does: committed to SQLite, then handed to the monitor. */
async function ingest(rs: Reading[]): Promise<void> {
  await log.append({ receivedAt: rs[0]!.receivedAt, samples: [{ deviceId: 'clamp', readings: rs.map(({ channel, ts, value }) => ({ channel, ts, value })) }] })
  monitor.stored(rs)
}

describe('JobMonitor', () => {
  it('10,000 readings over 100 event-loop turns: a few evaluations, never two of one job at once', async () => {
    const started = performance.now()
    for (let turn = 0; turn < 100; turn++) {
      const rs: Reading[] = []
      for (let i = 0; i < 100; i++) rs.push(reading(T0 + 1000 + turn * 100 + i))
      await ingest(rs)
      await new Promise((r) => setImmediate(r))
    }
    await monitor.settled()
    const elapsed = performance.now() - started
    expect(evaluator.calls).toBeGreaterThanOrEqual(1)
    expect(evaluator.calls).toBeLessThanOrEqual(2 + Math.floor(elapsed / 200))
    expect(evaluator.maxRunning).toBe(1)
    expect(monitor.stats().evaluations).toBe(evaluator.calls)
    expect(monitor.stats().cachedReadings).toBe(10_000)
  })

  it('current() waits for the evaluation in flight and answers with one that saw everything stored before it', async () => {
    await ingest([reading(T0 + 1000)])
    await new Promise((r) => setTimeout(r, 1)) // the scheduled evaluation starts
    await ingest([reading(T0 + 2000)])
    clock.set(T0 + 3000)
    const [a, b] = await Promise.all([monitor.current('j'), monitor.current('j')])
    expect(a).toBe(b) // concurrent callers share one evaluation
    expect(evaluator.maxRunning).toBe(1)
    const evidence = a!.steps.find((s) => s.id === 'test_run')!.checks.flatMap((c) => c.evidence ?? [])
    expect(evidence.some((e) => e.to === T0 + 2000)).toBe(true)
    expect(await monitor.current('no-such-job')).toBeUndefined()
  })

  it('a job that cannot be evaluated: a failed verdict, one log line per minute, other jobs unaffected', async () => {
    db.prepare("UPDATE jobs SET pack = '{' WHERE id = 'j'").run()
    const heard: string[] = []
    monitor.subscribe('*', (v) => heard.push(`${v.jobId}:${v.error?.code ?? v.status}`))
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000)
      const v = await monitor.current('j')
      expect(v).toMatchObject({ jobId: 'j', status: 'incomplete', error: { code: 'GW_ERR_EVALUATION_FAILED' } })
    }
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1)
    expect(lines[0]).toMatchObject({ msg: expect.stringContaining('job evaluation failed'), fields: { jobId: 'j', err: expect.stringContaining('SyntaxError') } })
    clock.advance(60_000)
    await monitor.current('j')
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2)
    expect(monitor.stats().failures).toBe(4)

    const k = await monitor.current('k')
    expect(k).toMatchObject({ jobId: 'k', status: 'in_progress' })
    expect(k!.error).toBeUndefined()
    // Listeners hear the failed verdict once (it did not change after), and the other job's.
    expect(heard).toEqual(['j:GW_ERR_EVALUATION_FAILED', 'k:in_progress'])
  })
})
