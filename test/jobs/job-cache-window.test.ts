/**
 * What the job cache keeps (issue 8: memory bounded, work proportional to what open steps
 * need): only the readings of open steps' windows; stopped steps are memoized and judged
 * again only when a late reading falls in their window; at most maxCachedReadings over all
 * jobs, the least recently evaluated job dropped and reloaded from SQLite when next needed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Reading } from '../../contract/reading.js'
import { loadJobContext } from '../../gateway/jobs/job-context.js'
import { noJobFacts } from '../helpers/job-facts.js'
import { InlineEvaluator } from '../../gateway/jobs/job-evaluator.js'
import { JobRepository } from '../../gateway/jobs/job-repository.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const WEEK = 7 * 24 * 3600_000
const pack = loadRulePacks(defaultPacksDir()).get('split-ac')!
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1 as const, ratedCurrentA: 7.5 }

let dir: string
let db: Db
let log: IngestLog
let jobs: JobRepository

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-window-'))
  db = openDatabase(dir, 'normal')
  log = new IngestLog(db)
  jobs = new JobRepository(db)
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

function job(id: string, deviceId: string, attachedAt: number): void {
  db.prepare("INSERT OR IGNORE INTO devices (id, kind, model, secret_hash, created_at) VALUES (?, 'meter', NULL, x'00', 0)").run(deviceId)
  jobs.create({ id, installerId: null, rulePack: { id: pack.id, version: pack.version }, unit, createdAt: attachedAt }, pack)
  jobs.attach(id, deviceId, attachedAt)
}

/** current_a every 10 s in [from, to), except at the times in `skip`. */
async function store(deviceId: string, from: number, to: number, skip: ReadonlySet<number> = new Set()): Promise<number> {
  const readings = []
  for (let ts = from; ts < to; ts += 10_000) if (!skip.has(ts)) readings.push({ channel: 'current_a' as const, ts, value: 5 })
  await log.append({ receivedAt: to, samples: [{ deviceId, readings }] })
  return readings.length
}

const evaluate = async (ev: InlineEvaluator, jobId: string, now: number) => ev.evaluate(loadJobContext(jobs, noJobFacts, jobId, now)!)

describe('the job cache keeps what open steps need', () => {
  it('a unit attached for a week with a 30-minute test run open caches the 30 minutes, not the week', async () => {
    job('week', 'clamp', T0 - WEEK)
    const inWeek = await store('clamp', T0 - WEEK, T0 + 30 * 60_000)
    expect(inWeek).toBe(7 * 24 * 360 + 180)
    jobs.addMarker('week', { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} })
    const ev = new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: 0 })
    const out = await evaluate(ev, 'week', T0 + 30 * 60_000)
    expect(out.cache.cachedReadings).toBe(180)
    expect(out.cache.loadedReadings).toBe(180)
    expect(out.work.readingsEvaluated).toBe(180)
    expect(out.verdict.steps.find((s) => s.id === 'test_run')!.status).toBe('in_progress')
  })

  it('200,000 readings of one channel from one device in an open step are judged (a spread overflowed past ~125,000)', async () => {
    job('long', 'clamp', T0)
    const readings = []
    for (let i = 0; i < 200_000; i++) readings.push({ channel: 'current_a' as const, ts: T0 + 1000 + i * 1000, value: 5 })
    await log.append({ receivedAt: T0, samples: [{ deviceId: 'clamp', readings }] })
    jobs.addMarker('long', { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} })
    const ev = new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: 0 })
    const out = await evaluate(ev, 'long', T0 + 1000 + 200_000 * 1000)
    expect(out.work.readingsEvaluated).toBe(200_000)
    const duration = out.verdict.steps.find((s) => s.id === 'test_run')!.checks.find((c) => c.id === 'duration')!
    expect(duration).toMatchObject({ status: 'pass', measured: 199_999 })
  })

  it('a stopped step is memoized and its readings dropped; a late reading in its window has it judged again', async () => {
    job('memo', 'clamp', T0)
    const gap = T0 + 30_000
    await store('clamp', T0, T0 + 3 * 60_000, new Set([gap])) // 20 s without a reading: more than power_test's maxGapS 10
    jobs.addMarker('memo', { step: 'power_test', action: 'start', at: T0, receivedAt: T0, facts: {} })
    jobs.addMarker('memo', { step: 'power_test', action: 'stop', at: T0 + 90_000, receivedAt: T0, facts: {} })
    jobs.addMarker('memo', { step: 'test_run', action: 'start', at: T0 + 120_000, receivedAt: T0, facts: {} })
    const ev = new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: 0 })
    const power = (o: Awaited<ReturnType<typeof evaluate>>) => o.verdict.steps.find((s) => s.id === 'power_test')!

    const first = await evaluate(ev, 'memo', T0 + 180_000)
    expect(first.work.memoHits).toBe(0)
    expect(power(first).status).not.toBe('pass')
    expect(first.cache.cachedReadings).toBe(6) // the test run's window only: 2:00 to 2:50

    const second = await evaluate(ev, 'memo', T0 + 181_000)
    expect(second.work.memoHits).toBe(1)
    expect(power(second)).toEqual(power(first))
    expect(second.work.readingsEvaluated).toBe(6)

    // The missing reading arrives late (a buffered upload): stored, then handed to the cache as the ingest does.
    const late: Reading = { deviceId: 'clamp', channel: 'current_a', ts: gap, value: 5, receivedAt: T0 + 182_000 }
    await log.append({ receivedAt: late.receivedAt, samples: [{ deviceId: 'clamp', readings: [late] }] })
    ev.add([late])
    const third = await evaluate(ev, 'memo', T0 + 182_000)
    expect(third.work.memoHits).toBe(0)
    expect(power(third).status).toBe('pass')
  })

  it('over maxCachedReadings the least recently evaluated job is dropped, and reloaded from SQLite when next evaluated', async () => {
    for (const id of ['a', 'b']) {
      job(id, `clamp-${id}`, T0)
      await store(`clamp-${id}`, T0, T0 + 2000 * 1000) // 200 readings
      jobs.addMarker(id, { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} })
    }
    const ev = new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: 0, maxCachedReadings: 250 })
    const a1 = await evaluate(ev, 'a', T0 + 2000 * 1000)
    expect(a1.cache).toMatchObject({ jobs: 1, cachedReadings: 200, loadedReadings: 200, evictions: 0 })
    const b = await evaluate(ev, 'b', T0 + 2000 * 1000)
    expect(b.cache).toMatchObject({ jobs: 1, cachedReadings: 200, loadedReadings: 400, evictions: 1 })
    const a2 = await evaluate(ev, 'a', T0 + 2000 * 1000)
    expect(a2.cache).toMatchObject({ jobs: 1, cachedReadings: 200, loadedReadings: 600, evictions: 2 })
    expect(a2.verdict.steps).toEqual(a1.verdict.steps)
    expect(ev.cache.stats().cachedReadings).toBeLessThanOrEqual(250)
  })
})
