/**
 * The verdict of a job: takes the job's context (pack as it was when the job was created,
 * markers, overrides, attachments, calibration, the evaluation time), gathers the readings
 * of each started step and hands them to the pure evaluators in rules/.
 *
 * Open steps read from the cache (only their windows are kept there). A stopped step's
 * result changes only if its inputs do (window, facts, attachments, calibration, a late
 * reading), so it is memoized under a key of those inputs; overrides are applied after.
 * A step whose evaluator throws is shown as failed to evaluate; the others still count.
 */
import { calibrationCheck, mayExclude, partitionByCalibration, type ExcludedDevice } from '../../rules/calibration.js'
import { packHash } from '../../rules/pack-hash.js'
import { readingConflictsCheck } from '../../rules/reading-conflicts.js'
import { evaluateInstallationRecord, type InstallationRecord } from '../../rules/record/installation-record.js'
import { overallStatus } from '../../rules/result.js'
import type { EarlierAttempt, ReviewedStep, Severity, StepResult, Verdict } from '../../contract/verdict.js'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import { applyOverrides } from './apply-overrides.js'
import { failedStep } from './evaluation-failure.js'
import type { JobContext } from './job-context.js'
import type { JobReadingCache } from './job-reading-cache.js'
import { STEP_EVALUATORS, type StepEvaluator, type StepSummary } from '../../rules/steps/registry.js'
import { stepAttempts, type StepAttempt } from './step-window.js'
import { judgeFromWindows } from './incremental-step.js'

export type { EarlierAttempt, Verdict } from '../../contract/verdict.js'

export interface VerdictDeps {
  cache: JobReadingCache
  /** Site time zone: a meter is in calibration to the end of its due day there. */
  siteUtcOffsetMinutes: number
  /** false: every step from whole arrays, never from a summary (the reference the equivalence tests compare with). Default true. */
  incremental?: boolean | undefined
}

/**
 * How much one evaluation read: the readings in the windows handed to evaluators, the
 * readings it actually touched (all of those for a step judged from arrays; the new ones
 * and a bounded few for one judged from its summary), and the stopped steps taken from the memo.
 */
export interface EvaluationWork {
  readingsEvaluated: number
  readingsVisited: number
  memoHits: number
}

const SEVERITY_RANK: Record<Severity, number> = { minor: 1, major: 2, critical: 3 }

export class VerdictService {
  /** Of the last verdict() call. */
  lastWork: EvaluationWork = { readingsEvaluated: 0, readingsVisited: 0, memoHits: 0 }

  constructor(private readonly deps: VerdictDeps) {}

  async verdict(ctx: JobContext): Promise<Verdict> {
    const { job, pack, markers, overrides, now } = ctx
    const work: EvaluationWork = (this.lastWork = { readingsEvaluated: 0, readingsVisited: 0, memoHits: 0 })
    const summaries = new Map<string, { summary: StepSummary; rebuilt: boolean }>()
    // Every attempt at a step: the last one decides, earlier ones stay in the verdict with their own results.
    const started = STEP_EVALUATORS.filter((e) => e.checkedBy(pack)).map((evaluator) => ({ evaluator, attempts: stepAttempts(markers, evaluator.step) }))
    // The cache keeps what open steps read, from their start; stopped attempts are read from storage once, then memoized.
    const needs = new Map<ChannelName, number>()
    let closedHorizon = -Infinity
    for (const { evaluator, attempts } of started) {
      for (const a of attempts) {
        if (a.stop !== undefined) closedHorizon = Math.max(closedHorizon, a.stop)
        else for (const ch of evaluator.channels) needs.set(ch, Math.min(needs.get(ch) ?? Infinity, a.start))
      }
    }
    await this.deps.cache.prepare(job.id, ctx.attachments, needs, closedHorizon)
    const steps: Verdict['steps'] = []
    for (const { evaluator, attempts } of started) {
      const results: StepResult[] = []
      for (let i = 0; i < attempts.length; i++) results.push(await this.guarded(evaluator.step, () => this.attemptResult(ctx, evaluator, attempts[i]!, i, work, summaries)))
      const last = attempts.at(-1)
      const reviewed = applyOverrides(results.at(-1) ?? notStarted(evaluator), overrides, last !== undefined && last.stop === undefined)
      const earlier: EarlierAttempt[] = []
      for (let i = 0; i + 1 < attempts.length; i++) {
        const a = attempts[i]!
        earlier.push({ attempt: i + 1, start: a.start, ...(a.stop !== undefined ? { stop: a.stop } : {}), restarted: a.restarted, status: results[i]!.status, checks: results[i]!.checks })
      }
      steps.push(earlier.length > 0 ? { ...reviewed, attempt: attempts.length, earlierAttempts: earlier } : reviewed)
    }
    // Only open attempts' summaries are kept: a stopped or restarted attempt's are let go.
    this.deps.cache.keepSummaries(job.id, summaries)
    if (pack.record) {
      const result = await this.guarded('record', async () =>
        evaluateInstallationRecord({ record: ctx.record as InstallationRecord, unit: job.unit, params: pack.record!, confirmed: ctx.confirmed }),
      )
      steps.push(applyOverrides(result, overrides, false))
    }
    const status = overallStatus(steps)
    const severity = worstSeverity(steps)
    // The content hash says which numbers judged the job, not only the version label.
    const rulePack = { ...job.rulePack, hash: packHash(pack) }
    return { jobId: job.id, status, ...(severity ? { severity } : {}), rulePack, evaluatedAt: now, steps }
  }

  /** A step whose evaluator throws is shown as failed to evaluate; the others still count. */
  private async guarded(step: string, evaluate: () => Promise<StepResult>): Promise<StepResult> {
    try {
      return await evaluate()
    } catch (err) {
      return failedStep(step, err)
    }
  }

  private async attemptResult(ctx: JobContext, evaluator: StepEvaluator, attempt: StepAttempt, index: number, work: EvaluationWork, summaries: Map<string, { summary: StepSummary; rebuilt: boolean }>): Promise<StepResult> {
    const memoId = `${evaluator.step}#${index}`
    if (attempt.stop === undefined && this.deps.incremental !== false) {
      // An open step with a summary: judged from the readings that arrived since its last evaluation.
      const prev = this.deps.cache.summary(ctx.job.id, memoId)
      const incremental = judgeFromWindows(this.deps.cache, ctx, evaluator, attempt, prev, this.deps.siteUtcOffsetMinutes, work)
      if (incremental) {
        summaries.set(memoId, { summary: incremental.summary, rebuilt: incremental.rebuilt })
        return incremental.result
      }
    }
    if (attempt.stop === undefined) return this.evaluateStep(ctx, evaluator, attempt, work)
    const calibration = ctx.attachments.map((a) => ctx.calibration[a.deviceId] ?? {})
    const accuracy = ctx.attachments.map((a) => ctx.accuracy[a.deviceId] ?? {})
    const events = ctx.stepEvents.filter((e) => e.step === evaluator.step)
    const key = JSON.stringify([attempt, ctx.attachments, calibration, accuracy, events, this.deps.cache.lateVersion(ctx.job.id)])
    const memo = this.deps.cache.memoized(ctx.job.id, memoId, key)
    if (memo) {
      work.memoHits++
      return memo
    }
    const result = await this.evaluateStep(ctx, evaluator, attempt, work)
    this.deps.cache.memoize(ctx.job.id, memoId, key, result)
    return result
  }

  private async evaluateStep(ctx: JobContext, evaluator: StepEvaluator, attempt: StepAttempt, work: EvaluationWork): Promise<StepResult> {
    const { job, pack, attachments, now } = ctx
    const to = attempt.stop ?? now
    const byChannel: [ChannelName, Reading[]][] = []
    for (const channel of evaluator.channels) {
      const rs = await this.deps.cache.readings(job.id, attachments, channel, attempt.start, to)
      work.readingsEvaluated += rs.length
      work.readingsVisited += rs.length
      byChannel.push([channel, rs])
    }
    const calibration = new Map(attachments.map((a) => [a.deviceId, ctx.calibration[a.deviceId] ?? {}]))
    const calibrationOptions = { utcOffsetMinutes: this.deps.siteUtcOffsetMinutes }
    const readings: Partial<Record<ChannelName, Reading[]>> = {}
    let excluded: ExcludedDevice[] = []
    let counted: readonly Reading[] | undefined
    // No meter can be out of calibration before the window's end: every reading counts, and the
    // cache's arrays go to the evaluator as they are (the partition below gives the same, in O(n)).
    if (!mayExclude(calibration, to, calibrationOptions)) {
      for (const [channel, rs] of byChannel) if (rs.length > 0) readings[channel] = rs
    } else {
      // A meter past its calibration due date is not evidence; the step says whose readings were left out.
      const all: Reading[] = []
      for (const [, rs] of byChannel) for (const r of rs) all.push(r)
      const partition = partitionByCalibration(all, calibration, calibrationOptions)
      excluded = partition.excluded
      counted = partition.counted
      for (const r of counted) (readings[r.channel] ??= []).push(r)
    }
    const meters = new Map(attachments.map((a) => [a.deviceId, ctx.accuracy[a.deviceId] ?? {}]))
    const roles: Record<string, Partial<Record<ChannelName, string>>> = {}
    for (const a of attachments) if (a.roles) roles[a.deviceId] = a.roles
    const window = { start: attempt.start, stop: attempt.stop }
    const result = evaluator.evaluate(pack, { unit: job.unit, window, now, facts: attempt.facts, readings, meters, events: ctx.stepEvents, roles })
    const withCalibration = excluded.length === 0 ? result : { ...result, checks: [...result.checks, calibrationCheck(excluded)] }
    // Re-sent readings with another value: a reviewer's look. Only read when a series holds any (the cache counts them).
    if (!counted && !evaluator.channels.some((ch) => this.deps.cache.mayHaveConflicts(job.id, ch, attempt.start))) return withCalibration
    if (!counted) {
      const all: Reading[] = []
      for (const [channel] of byChannel) for (const r of readings[channel] ?? []) all.push(r)
      counted = all
    }
    const conflicts = readingConflictsCheck(counted)
    return conflicts ? { ...withCalibration, checks: [...withCalibration.checks, conflicts] } : withCalibration
  }
}

/** A step the pack checks but the installer has not started: nothing is shown yet. */
function notStarted(evaluator: StepEvaluator): ReviewedStep {
  return { id: evaluator.step, status: 'incomplete', checks: [{ id: 'started', status: 'pending', message: `${evaluator.step} not started` }] }
}

function worstSeverity(steps: readonly ReviewedStep[]): Severity | undefined {
  let worst: Severity | undefined
  for (const step of steps) {
    for (const c of step.checks) {
      const failed = (c.override?.status ?? c.status) === 'fail'
      if (failed && c.severity && (!worst || SEVERITY_RANK[c.severity] > SEVERITY_RANK[worst])) worst = c.severity
    }
  }
  return worst
}
