/**
 * Everything a job's verdict depends on except its readings, read at one instant: the job,
 * its pack (as it was when the job was created), markers, overrides, attachments, record,
 * its meters' calibration, and the evaluation time. Small (a few KB), so the monitor reads
 * it on the gateway's connection and hands it to the evaluation thread with each request,
 * which then needs no repository of its own and sees every marker written before it.
 */
import type { DeviceCalibration } from '../../rules/calibration.js'
import type { MeterAccuracy } from '../../rules/meter-accuracy.js'
import type { RulePack } from '../../rules/pack-schema.js'
import type { Attachment, CheckOverride, Job, StepMarker } from '../../contract/job.js'
import type { JobRepository } from './job-repository.js'
import type { StepEvent } from './step-event-repository.js'

export interface JobContext {
  job: Job
  pack: RulePack
  markers: StepMarker[]
  overrides: CheckOverride[]
  attachments: Attachment[]
  record: Record<string, unknown>
  /** deviceId → the meter's declared calibration due date (device attributes). */
  calibration: Record<string, DeviceCalibration>
  /** deviceId → the meter's declared accuracy (device attributes), for the tightness test's allowed drop. */
  accuracy: Record<string, MeterAccuracy>
  /** Events inside steps (evacuation isolation). */
  stepEvents: StepEvent[]
  /** The installer confirmed the work order (S15): undeclared record items then fail. */
  confirmed: boolean
  now: number
}

/** Where the context's per-device and per-job facts come from (device attributes, step events). */
export interface JobFactSources {
  calibrationOf: (deviceId: string) => DeviceCalibration | undefined
  accuracyOf: (deviceId: string) => MeterAccuracy | undefined
  stepEvents: (jobId: string) => StepEvent[]
}

/** The job's context now; undefined if there is no such job. Throws if its stored rows cannot be read. */
export function loadJobContext(
  jobs: JobRepository,
  facts: JobFactSources,
  jobId: string,
  now: number,
): JobContext | undefined {
  const job = jobs.get(jobId)
  if (!job) return undefined
  const pack = jobs.pack(jobId)
  if (!pack) return undefined
  const attachments = jobs.attachments(jobId)
  const calibration: Record<string, DeviceCalibration> = {}
  const accuracy: Record<string, MeterAccuracy> = {}
  for (const a of attachments) {
    calibration[a.deviceId] = facts.calibrationOf(a.deviceId) ?? {}
    accuracy[a.deviceId] = facts.accuracyOf(a.deviceId) ?? {}
  }
  const stepEvents = facts.stepEvents(jobId)
  return { job, pack, markers: jobs.markers(jobId), overrides: jobs.overrides(jobId), attachments, record: jobs.record(jobId), calibration, accuracy, stepEvents, confirmed: jobs.confirmation(jobId) !== undefined, now }
}
