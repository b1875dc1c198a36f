/**
 * The kept Reading objects are bounded (job-reading-cache.ts, maxViewed): beyond the bound
 * the least recently evaluated job's objects are let go, its columns stay, and its next
 * evaluation builds them again and gives the same verdict.
 */
import { describe, expect, it } from 'vitest'
import type { JobContext } from '../../gateway/jobs/job-context.js'
import { JobReadingCache } from '../../gateway/jobs/job-reading-cache.js'
import { VerdictService } from '../../gateway/jobs/verdict-service.js'
import { ArrayReadingStore, largeJobContext, largeJobReadings, T0 } from './large-job-fixture.js'

const HOLD_S = 600
// 2 meters × 3 channels × 600 s, and 2 × 2 × 2 × 200 fill-stage readings.
const PER_JOB = 2 * 3 * HOLD_S + 1600

describe('kept Reading objects', () => {
  it('stay under maxViewed: the least recently evaluated job lets go of its objects and rebuilds them, same verdict', async () => {
    const cache = new JobReadingCache(new ArrayReadingStore(largeJobReadings(HOLD_S)), 4_000_000, PER_JOB + 100)
    const service = new VerdictService({ cache, siteUtcOffsetMinutes: 480 })
    const now = T0 + HOLD_S * 1000
    const job = (id: string): JobContext => {
      const ctx = largeJobContext(now)
      return { ...ctx, job: { ...ctx.job, id } }
    }
    const evaluate = async (id: string) => {
      const verdict = await service.verdict(job(id))
      cache.enforceCap(id) // as InlineEvaluator and the evaluation thread do after each evaluation
      return JSON.stringify(verdict)
    }
    const first = await evaluate('a')
    expect(cache.stats()).toMatchObject({ viewedReadings: PER_JOB, builtReadings: PER_JOB })
    expect(await evaluate('a')).toBe(first)
    expect(cache.stats().builtReadings).toBe(PER_JOB) // nothing new: nothing built

    await evaluate('b')
    // Both would be 2 × PER_JOB: job a's objects were let go, its columns kept.
    expect(cache.stats()).toMatchObject({ viewedReadings: PER_JOB, cachedReadings: 2 * PER_JOB, builtReadings: 2 * PER_JOB })
    expect(await evaluate('a')).toBe(first)
    expect(cache.stats()).toMatchObject({ viewedReadings: PER_JOB, builtReadings: 3 * PER_JOB, loadedReadings: 2 * PER_JOB })
  })
})
