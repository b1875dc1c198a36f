/**
 * Incremental evaluation gives the verdict a fresh evaluation gives (issue 8): the job
 * cache keeps Reading objects between evaluations and extends them, and the open tightness
 * step is judged from its summary, extended by the readings that arrived since
 * (rules/steps/tightness-summary.ts), with the calibration partition and the conflicts check
 * done on windows. None of that may change a byte of the verdict. On the 518,400-reading
 * VRF job: one cache updated by many small batches (in order, late, a conflicting re-send
 * of a reading already handed out, a step restart that trims the cache, a calibration due
 * date inside the window, a meter attached midway, eviction and reload) against a fresh
 * cache that loads the same readings at once and judges every step from whole arrays (the
 * way every evaluation went before the summaries).
 */
import { describe, expect, it } from 'vitest'
import type { Reading } from '../../contract/reading.js'
import { InlineEvaluator } from '../../gateway/jobs/job-evaluator.js'
import { JobReadingCache } from '../../gateway/jobs/job-reading-cache.js'
import type { JobContext } from '../../gateway/jobs/job-context.js'
import { VerdictService, type Verdict } from '../../gateway/jobs/verdict-service.js'
import { ArrayReadingStore, HOLD_S, largeJobContext, largeJobReadings, T0 } from './large-job-fixture.js'

const fresh = (all: Reading[], ctx: JobContext) => new VerdictService({ cache: new JobReadingCache(new ArrayReadingStore(all)), siteUtcOffsetMinutes: 480, incremental: false }).verdict(ctx)
const json = (v: unknown) => JSON.stringify(v)
/** The status of a tightness check in a verdict's JSON. */
const checkStatus = (verdict: string, id: string) => (JSON.parse(verdict) as Verdict).steps.find((s) => s.id === 'tightness')?.checks.find((c) => c.id === id)?.status

/** A leak of 30 kPa over the last 6 h on vrf-a's high side, so the hold's end fit and the drop matter. */
function withLeak(rs: Reading[]): Reading[] {
  const from = T0 + (HOLD_S - 6 * 3600) * 1000
  return rs.map((r) => (r.deviceId === 'vrf-a' && r.channel === 'pressure_high_kpag' && r.ts >= from ? { ...r, value: r.value - (30 * (r.ts - from)) / (6 * 3600_000) } : r))
}

describe('incremental evaluation of the 518,400-reading job equals a fresh one', () => {
  it('after many batches: in order, late, a conflicting re-send of a reading already evaluated, a restart of the step', async () => {
    const all = withLeak(largeJobReadings())
    const cut = T0 + (HOLD_S - 3600) * 1000 // the last hour arrives live
    const initial = all.filter((r) => r.ts < cut)
    const live = all.filter((r) => r.ts >= cut)
    const store = new ArrayReadingStore(initial)
    const cache = new JobReadingCache(store)
    const service = new VerdictService({ cache, siteUtcOffsetMinutes: 480 })
    let now = cut
    const verdicts: string[] = []
    verdicts.push(json(await service.verdict(largeJobContext(now))))
    // The live hour in 24 batches of 150 s, one of them held back and sent late (a buffered upload).
    const batches: Reading[][] = []
    for (let b = 0; b < 24; b++) batches.push(live.filter((r) => r.ts >= cut + b * 150_000 && r.ts < cut + (b + 1) * 150_000))
    const held = batches.splice(5, 1)[0]!
    for (const [i, batch] of batches.entries()) {
      for (const r of batch) store.all.push(r)
      cache.add(batch)
      now = Math.max(now, batch.at(-1)!.ts + 500)
      if (i === 10) {
        for (const r of held) store.all.push(r)
        cache.add(held)
      }
      verdicts.push(json(await service.verdict(largeJobContext(now))))
    }
    // Re-sends with another value of readings the cache has handed out already, flagged as the ingest
    // flags them: one in the middle of the hold (a late reading) and the latest one of a series.
    const flag = (deviceId: string, channel: Reading['channel'], ts: number) => {
      const i = store.all.findIndex((r) => r.deviceId === deviceId && r.channel === channel && r.ts === ts)
      const flagged: Reading = { ...store.all[i]!, conflict: { others: [{ value: 3900, receivedAt: now }] } }
      store.all[i] = flagged
      cache.add([flagged])
    }
    flag('vrf-b', 'pressure_low_kpag', T0 + 7_200_000)
    let latest = -Infinity
    for (const r of store.all) if (r.deviceId === 'vrf-a' && r.channel === 'temp_pipe_c') latest = Math.max(latest, r.ts)
    flag('vrf-a', 'temp_pipe_c', latest)
    const final = json(await service.verdict(largeJobContext(now)))
    const everything = store.all.slice()
    expect(final).toBe(json(await fresh(everything, largeJobContext(now))))
    expect(checkStatus(final, 'reading_conflicts')).toBe('warn')
    expect(final).toContain('2 reading(s) were re-sent')
    expect(checkStatus(final, 'pressure_drop')).toBe('pending') // 1 s short of 24 h, and seen leaking:
    expect(final).toMatch(/so far \(hold not complete\)[^"]*: leaking/)
    // The verdict changed along the way (the evaluations were not all of one state).
    expect(new Set(verdicts).size).toBeGreaterThan(1)
    expect(cache.stats().viewedReadings).toBeGreaterThan(500_000)
    // Judged from the summary: extended by most batches, started again after the late batch and each flag.
    expect(cache.stats().summaryExtensions).toBeGreaterThanOrEqual(20)
    expect(cache.stats().summaryRebuilds).toBeGreaterThanOrEqual(3)

    // The installer restarts the step 2 h before the end: the cache trims its columns and their objects.
    const restart = now - 2 * 3600_000
    const restarted = (ctx: JobContext): JobContext => ({ ...ctx, markers: [...ctx.markers, { step: 'tightness', action: 'start', at: restart, receivedAt: restart, facts: { gas: 'nitrogen' } }] })
    const afterRestart = json(await service.verdict(restarted(largeJobContext(now))))
    expect(afterRestart).toBe(json(await fresh(everything, restarted(largeJobContext(now)))))
  }, 120_000)

  it('with a meter out of calibration in the window (the partition runs) and one in calibration past it (skipped)', async () => {
    const all = largeJobReadings()
    const now = T0 + HOLD_S * 1000
    const cache = new JobReadingCache(new ArrayReadingStore(all))
    const service = new VerdictService({ cache, siteUtcOffsetMinutes: 480 })
    // Due on the hold's first day (site time +8 h): readings from the next midnight on do not count.
    const lapsing = largeJobContext(now, '2026-11-27')
    const incremental = json(await service.verdict(lapsing))
    expect(checkStatus(incremental, 'calibration')).toBe('warn')
    expect(incremental).toBe(json(await fresh(all, lapsing)))
    const valid = json(await service.verdict(largeJobContext(now, '2099-12-31')))
    const none = json(await service.verdict(largeJobContext(now)))
    expect(valid).toBe(none)
    expect(valid).toBe(json(await fresh(all, largeJobContext(now))))
  }, 120_000)
})

describe('the open step judged from its summary through everything a live job goes through', () => {
  it('in order, late, a conflict, a calibration due date in the window, a meter attached midway, eviction and reload', async () => {
    const all = withLeak(largeJobReadings())
    const cut = T0 + (HOLD_S - 1800) * 1000
    const store = new ArrayReadingStore(all.filter((r) => r.ts < cut))
    const live = all.filter((r) => r.ts >= cut)
    // Room for the VRF job and not for a second, small one as well: judging that one evicts this one.
    const evaluator = new InlineEvaluator({ store, siteUtcOffsetMinutes: 480, maxCachedReadings: 600_000 })
    let now = cut
    let ctxOf = (at: number) => largeJobContext(at)
    const add = (rs: Reading[]) => {
      for (const r of rs) store.all.push(r)
      evaluator.add(rs)
    }
    let compared = 0
    const same = async (what: string) => {
      const { verdict } = await evaluator.evaluate(ctxOf(now))
      expect(json(verdict), what).toBe(json(await fresh(store.all.slice(), ctxOf(now))))
      compared++
      return json(verdict)
    }
    const evaluate = async () => (await evaluator.evaluate(ctxOf(now))).cache
    await same('first evaluation')
    let next = 0
    /** The live readings of the next `s` seconds, one evaluation per second of them. */
    const inOrder = async (s: number) => {
      for (let i = 0; i < s; i++, now += 1000) {
        const upTo = cut + (next + 1) * 1000
        const batch = live.filter((r) => r.ts >= cut + next * 1000 && r.ts < upTo)
        next++
        add(batch)
        await evaluate()
      }
      now = cut + next * 1000
    }
    await inOrder(30)
    const extended = await evaluate()
    await same('in order, a second at a time')
    expect(extended.summaryExtensions).toBeGreaterThanOrEqual(30)

    // A buffered reading inside the summarised range (a point the meter had not sent before).
    add([{ deviceId: 'vrf-b', channel: 'temp_pipe_c', ts: T0 + 3_600_500, value: 20.4, receivedAt: now }])
    const rebuildsBefore = (await evaluate()).summaryRebuilds
    await same('a late reading inside the window')
    await inOrder(5)
    expect((await evaluate()).summaryRebuilds).toBe(rebuildsBefore) // one full pass, then extended again

    // A conflicting re-send of a reading already summarised, flagged as the ingest flags it.
    const i = store.all.findIndex((r) => r.deviceId === 'vrf-a' && r.channel === 'pressure_high_kpag' && r.ts === T0 + 7_200_000)
    const flagged: Reading = { ...store.all[i]!, conflict: { others: [{ value: 3990, receivedAt: now }] } }
    store.all[i] = flagged
    evaluator.add([flagged])
    const conflicted = await same('a conflict')
    expect(checkStatus(conflicted, 'reading_conflicts')).toBe('warn')
    await inOrder(5)
    await same('in order after the conflict')

    // vrf-b's calibration lapses at the first midnight of the hold (site time): its later readings do not count.
    ctxOf = (at: number) => ({ ...largeJobContext(at), calibration: { 'vrf-a': {}, 'vrf-b': { calibrationDue: '2026-11-27' } } })
    expect(checkStatus(await same('a calibration due date inside the window'), 'calibration')).toBe('warn')
    await inOrder(5)
    await same('in order with the meter out of calibration')

    // A third meter attached midway, higher on the high side: it becomes the series judged.
    const attachedAt = T0 + 36_000_000
    const third: Reading[] = []
    for (let ts = attachedAt; ts < now; ts += 1000) third.push({ deviceId: 'vrf-c', channel: 'pressure_high_kpag', ts, value: 4100, receivedAt: ts })
    add(third)
    const withThird = ctxOf
    ctxOf = (at: number) => {
      const c = withThird(at)
      return { ...c, attachments: [...c.attachments, { deviceId: 'vrf-c', attachedAt, detachedAt: null }], calibration: { ...c.calibration, 'vrf-c': {} }, accuracy: { ...c.accuracy, 'vrf-c': {} } }
    }
    expect(await same('a meter attached midway')).toContain('vrf-c pressure_high_kpag')
    await inOrder(5)
    await same('in order with three meters')

    // Another job fills the cache: this one is evicted, then reloaded from storage and summarised again.
    const small: Reading[] = []
    for (let k = 0; k < 60_000; k++) small.push({ deviceId: 'vrf-s', channel: 'temp_pipe_c', ts: T0 + k * 1000, value: 20, receivedAt: T0 + k * 1000 })
    for (const r of small) store.all.push(r)
    const other = largeJobContext(now)
    const otherCtx: JobContext = { ...other, job: { ...other.job, id: 'vrf-2' }, attachments: [{ deviceId: 'vrf-s', attachedAt: T0 - 1_000_000, detachedAt: null }], calibration: { 'vrf-s': {} }, accuracy: { 'vrf-s': {} } }
    const evictionsBefore = (await evaluate()).evictions
    const afterOther = (await evaluator.evaluate(otherCtx)).cache
    expect(afterOther.evictions, JSON.stringify(afterOther)).toBeGreaterThan(evictionsBefore)
    expect(afterOther.cachedReadings).toBeLessThan(100_000) // the VRF job's readings are gone
    const loadedBefore = afterOther.loadedReadings
    await same('evicted and reloaded')
    expect((await evaluate()).loadedReadings).toBeGreaterThan(loadedBefore + 500_000)
    await inOrder(5)
    await same('in order after the reload')
    expect(compared).toBe(11)
  }, 240_000)
})

describe('the work of one evaluation is the new readings, not the job', () => {
  it('on the 518,400-reading job, readings touched per evaluation stay within the new ones plus a constant', async () => {
    const all = largeJobReadings()
    const store = new ArrayReadingStore(all)
    const evaluator = new InlineEvaluator({ store, siteUtcOffsetMinutes: 480 })
    let ts = T0 + HOLD_S * 1000
    const first = await evaluator.evaluate(largeJobContext(ts))
    expect(first.work.readingsVisited).toBeGreaterThanOrEqual(518_400) // the first one reads everything once
    for (const batch of [1, 1, 10, 100, 1000]) {
      const rs: Reading[] = []
      for (let k = 0; k < batch; k++, ts += 1000) for (const deviceId of ['vrf-a', 'vrf-b']) rs.push({ deviceId, channel: 'pressure_high_kpag', ts, value: 4050, receivedAt: ts })
      for (const r of rs) store.all.push(r)
      evaluator.add(rs)
      const { work, cache } = await evaluator.evaluate(largeJobContext(ts))
      expect(work.readingsEvaluated).toBeGreaterThan(518_400) // the step is still judged on all of them
      // Each new reading: built, checked and scanned (a few touches); the fits' ±60 s and binary searches: a constant.
      expect(work.readingsVisited, `after ${rs.length} new readings`).toBeLessThanOrEqual(4 * rs.length + 2000)
      expect(cache.summaryRebuilds).toBe(1)
    }
  }, 120_000)
})
