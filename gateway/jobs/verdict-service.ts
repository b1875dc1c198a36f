/**
 * The verdict of a job: gathers the job's pack (as it was when the job was created),
 * markers, readings and overrides, and hands them with the current time to the pure
 * evaluators in rules/.
 */
import { calibrationCheck, partitionByCalibration, type DeviceCalibration } from '../../rules/calibration.js'
import { packHash } from '../../rules/pack-hash.js'
import type { RulePack } from '../../rules/pack-schema.js'
import { evaluateInstallationRecord, type InstallationRecord } from '../../rules/record/installation-record.js'
import { overallStatus, type Severity, type StepResult, type VerdictStatus } from '../../rules/result.js'
import type { Clock } from '../clock.js'
import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import { applyOverrides, type ReviewedStep } from './apply-overrides.js'
import type { Job } from './job.js'
import type { JobRepository } from './job-repository.js'
import type { JobReadingSource } from './reading-source.js'
import { STEP_EVALUATORS, type StepEvaluator } from './step-evaluators.js'
import { stepAttempts, type StepAttempt } from './step-window.js'

export interface Verdict {
  jobId: string
  status: VerdictStatus
  /** The worst severity among failed checks (after overrides). */
  severity?: Severity
  rulePack: { id: string; version: string; hash: string }
  evaluatedAt: number
  steps: (ReviewedStep & { attempt?: number; earlierAttempts?: EarlierAttempt[] })[]
}

/** An earlier attempt at a step (restarted or retested): shown with its own result; the last attempt decides. */
export interface EarlierAttempt {
  attempt: number
  start: number
  stop?: number
  /** Ended by a new start without a stop. */
  restarted: boolean
  status: StepResult['status']
  checks: StepResult['checks']
}

export interface VerdictDeps {
  jobs: JobRepository
  source: JobReadingSource
  clock: Clock
  /** A meter's declared calibration due date (device attributes). */
  calibrationOf: (deviceId: string) => DeviceCalibration | undefined
  /** Site time zone: a meter is in calibration to the end of its due day there. */
  siteUtcOffsetMinutes: number
}

const SEVERITY_RANK: Record<Severity, number> = { minor: 1, major: 2, critical: 3 }

export class VerdictService {
  constructor(private readonly deps: VerdictDeps) {}

  async verdict(jobId: string): Promise<Verdict | undefined> {
    const job = this.deps.jobs.get(jobId)
    const pack = this.deps.jobs.pack(jobId)
    if (!job || !pack) return undefined
    const now = this.deps.clock.now()
    const markers = this.deps.jobs.markers(jobId)
    const overrides = this.deps.jobs.overrides(jobId)
    const steps: Verdict['steps'] = []
    for (const evaluator of STEP_EVALUATORS.filter((e) => e.checkedBy(pack))) {
      // The last attempt decides; earlier ones stay in the verdict with their own results.
      const attempts = stepAttempts(markers, evaluator.step)
      const last = attempts.at(-1)
      const result = last ? await this.evaluateStep(job, pack, evaluator, last, now) : notStarted(evaluator)
      const reviewed = applyOverrides(result, overrides, last !== undefined && last.stop === undefined)
      const earlier: EarlierAttempt[] = []
      for (let i = 0; i + 1 < attempts.length; i++) {
        const a = attempts[i]!
        const r = await this.evaluateStep(job, pack, evaluator, a, now)
        earlier.push({ attempt: i + 1, start: a.start, ...(a.stop !== undefined ? { stop: a.stop } : {}), restarted: a.restarted, status: r.status, checks: r.checks })
      }
      steps.push(earlier.length > 0 ? { ...reviewed, attempt: attempts.length, earlierAttempts: earlier } : reviewed)
    }
    if (pack.record) {
      const record = this.deps.jobs.record(jobId) as InstallationRecord
      const confirmed = this.deps.jobs.confirmation(jobId) !== undefined
      steps.push(applyOverrides(evaluateInstallationRecord({ record, unit: job.unit, params: pack.record, confirmed }), overrides, false))
    }
    const status = overallStatus(steps)
    const severity = worstSeverity(steps)
    // The content hash says which numbers judged the job, not only the version label.
    const rulePack = { ...job.rulePack, hash: packHash(pack) }
    return { jobId, status, ...(severity ? { severity } : {}), rulePack, evaluatedAt: now, steps }
  }

  private async evaluateStep(
    job: Job,
    pack: RulePack,
    evaluator: StepEvaluator,
    window: StepAttempt,
    now: number,
  ): Promise<StepResult> {
    const to = window.stop ?? now
    const attachments = this.deps.jobs.attachments(job.id)
    const all: Reading[] = []
    for (const channel of evaluator.channels) all.push(...(await this.deps.source.readings(job.id, attachments, channel, window.start, to)))
    // A meter past its calibration due date is not evidence; the step says whose readings were left out.
    const calibration = new Map(attachments.map((a) => [a.deviceId, this.deps.calibrationOf(a.deviceId) ?? {}]))
    const { counted, excluded } = partitionByCalibration(all, calibration, { utcOffsetMinutes: this.deps.siteUtcOffsetMinutes })
    const readings: Partial<Record<ChannelName, Reading[]>> = {}
    for (const r of counted) (readings[r.channel] ??= []).push(r)
    const roles: Record<string, Partial<Record<ChannelName, string>>> = {}
    for (const a of attachments) if (a.roles) roles[a.deviceId] = a.roles
    const result = evaluator.evaluate(pack, { unit: job.unit, window: { start: window.start, stop: window.stop }, now, facts: window.facts, readings, roles })
    return excluded.length === 0 ? result : { ...result, checks: [...result.checks, calibrationCheck(excluded)] }
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
