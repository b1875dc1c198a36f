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
import type { Job, StepMarker } from './job.js'
import type { JobRepository } from './job-repository.js'
import type { JobReadingSource } from './reading-source.js'
import { STEP_EVALUATORS, type StepEvaluator } from './step-evaluators.js'
import { stepWindow } from './step-window.js'

export interface Verdict {
  jobId: string
  status: VerdictStatus
  /** The worst severity among failed checks (after overrides). */
  severity?: Severity
  rulePack: { id: string; version: string; hash: string }
  evaluatedAt: number
  steps: ReviewedStep[]
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
    const steps: ReviewedStep[] = []
    for (const evaluator of STEP_EVALUATORS.filter((e) => e.checkedBy(pack))) {
      const window = stepWindow(markers, evaluator.step)
      const result = window ? await this.evaluateStep(job, pack, evaluator, markers, window, now) : notStarted(evaluator)
      steps.push(applyOverrides(result, overrides, window !== undefined && window.stop === undefined))
    }
    if (pack.record) {
      const record = this.deps.jobs.record(jobId) as InstallationRecord
      steps.push(applyOverrides(evaluateInstallationRecord({ record, unit: job.unit, params: pack.record }), overrides, false))
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
    markers: readonly StepMarker[],
    window: { start: number; stop?: number | undefined },
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
    const start = markers.filter((m) => m.step === evaluator.step && m.action === 'start' && m.at === window.start).at(-1)
    const result = evaluator.evaluate(pack, { unit: job.unit, window, now, facts: start?.facts ?? {}, readings })
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
