/**
 * An open step judged from the cache's windows and the summary its last evaluation left
 * (issue 8, "evaluation is incremental"): what it costs is the readings that arrived since,
 * not the window. The calibration partition cuts the windows by binary search and the
 * conflicts check reads the few flagged readings the columns know of, so nothing here walks
 * the window either. The verdict is the one VerdictService.evaluateStep gives from arrays
 * (test/jobs/incremental-equivalence.test.ts); undefined when this way cannot give it (the
 * channel is not cached that far back, or the step's summary declines the readings): the
 * caller then judges the arrays.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import { calibrationCheck, mayExclude, partitionWindowsByCalibration, type ExcludedDevice } from '../../rules/calibration.js'
import { readingConflictsCheck } from '../../rules/reading-conflicts.js'
import type { StepResult } from '../../rules/result.js'
import type { StepEvaluator, StepSummary } from '../../rules/steps/registry.js'
import type { SeriesWindow } from '../../rules/steps/series-window.js'
import type { JobContext } from './job-context.js'
import type { JobReadingCache } from './job-reading-cache.js'
import type { StepAttempt } from './step-window.js'

export interface IncrementalWork {
  readingsEvaluated: number
  readingsVisited: number
}

export interface IncrementalOutcome {
  result: StepResult
  summary: StepSummary
  /** The summary was started from scratch (a full pass). */
  rebuilt: boolean
}

export function judgeFromWindows(
  cache: JobReadingCache,
  ctx: JobContext,
  evaluator: StepEvaluator,
  attempt: StepAttempt,
  prev: StepSummary | undefined,
  siteUtcOffsetMinutes: number,
  work: IncrementalWork,
): IncrementalOutcome | undefined {
  const incremental = evaluator.incremental
  if (!incremental || attempt.stop !== undefined) return undefined
  const { job, pack, attachments, now } = ctx
  const builtBefore = cache.built
  let byChannel: [ChannelName, SeriesWindow[]][] = []
  for (const channel of evaluator.channels) {
    const ws = cache.windows(job.id, channel, attempt.start, now)
    if (!ws) return undefined
    byChannel.push([channel, ws])
  }
  let handed = 0
  for (const [, ws] of byChannel) for (const w of ws) handed += w.hi - w.lo
  const calibration = new Map(attachments.map((a) => [a.deviceId, ctx.calibration[a.deviceId] ?? {}]))
  const calibrationOptions = { utcOffsetMinutes: siteUtcOffsetMinutes }
  let excluded: ExcludedDevice[] = []
  // A meter past its calibration due date is not evidence: the end of its window is cut off.
  if (mayExclude(calibration, now, calibrationOptions)) {
    const all: SeriesWindow[] = []
    for (const [, ws] of byChannel) for (const w of ws) all.push(w)
    const partition = partitionWindowsByCalibration(all, calibration, calibrationOptions)
    excluded = partition.excluded
    let k = 0
    byChannel = byChannel.map(([channel, ws]) => [channel, partition.counted.slice(k, (k += ws.length))])
  }
  const series: Partial<Record<ChannelName, readonly SeriesWindow[]>> = {}
  for (const [channel, ws] of byChannel) series[channel] = ws
  const meters = new Map(attachments.map((a) => [a.deviceId, ctx.accuracy[a.deviceId] ?? {}]))
  const roles: Record<string, Partial<Record<ChannelName, string>>> = {}
  for (const a of attachments) if (a.roles) roles[a.deviceId] = a.roles
  const visits = { readings: 0 }
  const stepCtx = { unit: job.unit, window: { start: attempt.start, stop: attempt.stop }, now, facts: attempt.facts, series, meters, events: ctx.stepEvents, roles }
  const out = incremental.evaluate(pack, stepCtx, prev, visits)
  if (!out) return undefined
  work.readingsEvaluated += handed
  const withCalibration = excluded.length === 0 ? out.result : { ...out.result, checks: [...out.result.checks, calibrationCheck(excluded)] }
  // Re-sent readings with another value, in the order the arrays path hands them over: by channel, then by device time.
  const conflicted: Reading[] = []
  for (const [, ws] of byChannel) {
    const parts: Reading[] = []
    for (const w of ws) for (const r of cache.conflictedIn(job.id, w)) parts.push(r)
    // Stable: on a tie the earlier device's first, as the cache's merge of its series.
    parts.sort((a, b) => a.ts - b.ts)
    for (const r of parts) conflicted.push(r)
  }
  const conflicts = conflicted.length > 0 ? readingConflictsCheck(conflicted) : undefined
  work.readingsVisited += visits.readings + (cache.built - builtBefore) + conflicted.length
  const result = conflicts ? { ...withCalibration, checks: [...withCalibration.checks, conflicts] } : withCalibration
  return { result, summary: out.summary, rebuilt: out.rebuilt > 0 }
}
