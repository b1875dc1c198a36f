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
import { calibrationCheck, partitionByCalibration } from '../../rules/calibration.js'
import type { RulePack } from '../../rules/pack-schema.js'
import { readingConflictsCheck } from '../../rules/reading-conflicts.js'
import { evaluateInstallationRecord, type InstallationRecord } from '../../rules/record/installation-record.js'
import { overallStatus, type Severity, type StepResult, type VerdictStatus } from '../../rules/result.js'
import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import { applyOverrides, type ReviewedStep } from './apply-overrides.js'
import { failedStep } from './evaluation-failure.js'
import type { Job, StepMarker } from './job.js'
import type { JobContext } from './job-context.js'
import type { JobReadingCache } from './job-reading-cache.js'
import { STEP_EVALUATORS, type StepEvaluator } from './step-evaluators.js'
import { stepWindow, type StepWindow } from './step-window.js'

export interface Verdict {
  jobId: string
  status: VerdictStatus
  /** The worst severity among failed checks (after overrides). */
  severity?: Severity
  rulePack: { id: string; version: string }
  evaluatedAt: number
  /** Set when the job could not be evaluated at all (evaluation-failure.ts). */
  error?: { code: string; message: string }
  steps: ReviewedStep[]
}

export interface VerdictDeps {
  cache: JobReadingCache
  /** Site time zone: a meter is in calibration to the end of its due day there. */
  siteUtcOffsetMinutes: number
}

/** How much one evaluation read: the readings handed to evaluators, and the stopped steps taken from the memo. */
export interface EvaluationWork {
  readingsEvaluated: number
  memoHits: number
}

const SEVERITY_RANK: Record<Severity, number> = { minor: 1, major: 2, critical: 3 }

export class VerdictService {
  /** Of the last verdict() call. */
  lastWork: EvaluationWork = { readingsEvaluated: 0, memoHits: 0 }

  constructor(private readonly deps: VerdictDeps) {}

  async verdict(ctx: JobContext): Promise<Verdict> {
    const { job, pack, markers, overrides, now } = ctx
    const work: EvaluationWork = (this.lastWork = { readingsEvaluated: 0, memoHits: 0 })
    const started = STEP_EVALUATORS.filter((e) => e.checkedBy(pack)).map((evaluator) => ({ evaluator, window: stepWindow(markers, evaluator.step) }))
    // The cache keeps what open steps read, from their start; stopped steps are read from storage once, then memoized.
    const needs = new Map<ChannelName, number>()
    let closedHorizon = -Infinity
    for (const { evaluator, window } of started) {
      if (!window) continue
      if (window.stop !== undefined) closedHorizon = Math.max(closedHorizon, window.stop)
      else for (const ch of evaluator.channels) needs.set(ch, Math.min(needs.get(ch) ?? Infinity, window.start))
    }
    await this.deps.cache.prepare(job.id, ctx.attachments, needs, closedHorizon)
    const steps: ReviewedStep[] = []
    for (const { evaluator, window } of started) {
      let result: StepResult
      try {
        result = window ? await this.stepResult(ctx, evaluator, window, work) : notStarted(evaluator)
      } catch (err) {
        result = failedStep(evaluator.step, err)
      }
      steps.push(applyOverrides(result, overrides, window !== undefined && window.stop === undefined))
    }
    if (pack.record) {
      let result: StepResult
      try {
        result = evaluateInstallationRecord({ record: ctx.record as InstallationRecord, unit: job.unit, params: pack.record })
      } catch (err) {
        result = failedStep('record', err)
      }
      steps.push(applyOverrides(result, overrides, false))
    }
    const status = overallStatus(steps)
    const severity = worstSeverity(steps)
    return { jobId: job.id, status, ...(severity ? { severity } : {}), rulePack: job.rulePack, evaluatedAt: now, steps }
  }

  private async stepResult(ctx: JobContext, evaluator: StepEvaluator, window: StepWindow, work: EvaluationWork): Promise<StepResult> {
    if (window.stop === undefined) return this.evaluateStep(ctx, ctx.job, ctx.pack, evaluator, ctx.markers, window, ctx.now, work)
    const calibration = ctx.attachments.map((a) => ctx.calibration[a.deviceId] ?? {})
    const facts = startMarker(ctx.markers, evaluator, window)?.facts ?? {}
    const accuracy = ctx.attachments.map((a) => ctx.accuracy[a.deviceId] ?? {})
    const events = ctx.stepEvents.filter((e) => e.step === evaluator.step)
    const key = JSON.stringify([window, facts, ctx.attachments, calibration, accuracy, events, this.deps.cache.lateVersion(ctx.job.id)])
    const memo = this.deps.cache.memoized(ctx.job.id, evaluator.step, key)
    if (memo) {
      work.memoHits++
      return memo
    }
    const result = await this.evaluateStep(ctx, ctx.job, ctx.pack, evaluator, ctx.markers, window, ctx.now, work)
    this.deps.cache.memoize(ctx.job.id, evaluator.step, key, result)
    return result
  }

  private async evaluateStep(
    ctx: JobContext,
    job: Job,
    pack: RulePack,
    evaluator: StepEvaluator,
    markers: readonly StepMarker[],
    window: StepWindow,
    now: number,
    work: EvaluationWork,
  ): Promise<StepResult> {
    const to = window.stop ?? now
    const attachments = ctx.attachments
    const all: Reading[] = []
    for (const channel of evaluator.channels) for (const r of await this.deps.cache.readings(job.id, attachments, channel, window.start, to)) all.push(r)
    work.readingsEvaluated += all.length
    // A meter past its calibration due date is not evidence; the step says whose readings were left out.
    const calibration = new Map(attachments.map((a) => [a.deviceId, ctx.calibration[a.deviceId] ?? {}]))
    const { counted, excluded } = partitionByCalibration(all, calibration, { utcOffsetMinutes: this.deps.siteUtcOffsetMinutes })
    const readings: Partial<Record<ChannelName, Reading[]>> = {}
    for (const r of counted) (readings[r.channel] ??= []).push(r)
    const start = startMarker(markers, evaluator, window)
    const meters = new Map(attachments.map((a) => [a.deviceId, ctx.accuracy[a.deviceId] ?? {}]))
    const result = evaluator.evaluate(pack, { unit: job.unit, window, now, facts: start?.facts ?? {}, readings, meters, events: ctx.stepEvents })
    const withCalibration = excluded.length === 0 ? result : { ...result, checks: [...result.checks, calibrationCheck(excluded)] }
    const conflicts = readingConflictsCheck(counted) // re-sent readings with another value: a reviewer's look
    return conflicts ? { ...withCalibration, checks: [...withCalibration.checks, conflicts] } : withCalibration
  }
}

function startMarker(markers: readonly StepMarker[], evaluator: StepEvaluator, window: StepWindow): StepMarker | undefined {
  return markers.filter((m) => m.step === evaluator.step && m.action === 'start' && m.at === window.start).at(-1)
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
