/**
 * Everything a job's verdict depends on except its readings, read at one instant: the job,
 * its pack (as it was when the job was created), markers, overrides, attachments, record,
 * its meters' calibration, and the evaluation time. Small (a few KB), so the monitor reads
 * it on the gateway's connection and hands it to the evaluation thread with each request,
 * which then needs no repository of its own and sees every marker written before it.
 */
import type { DeviceCalibration } from '../../rules/calibration.js'
import type { RulePack } from '../../rules/pack-schema.js'
import type { Attachment, CheckOverride, Job, StepMarker } from './job.js'
import type { JobRepository } from './job-repository.js'

export interface JobContext {
  job: Job
  pack: RulePack
  markers: StepMarker[]
  overrides: CheckOverride[]
  attachments: Attachment[]
  record: Record<string, unknown>
  /** deviceId → the meter's declared calibration due date (device attributes). */
  calibration: Record<string, DeviceCalibration>
  now: number
}

/** The job's context now; undefined if there is no such job. Throws if its stored rows cannot be read. */
export function loadJobContext(
  jobs: JobRepository,
  calibrationOf: (deviceId: string) => DeviceCalibration | undefined,
  jobId: string,
  now: number,
): JobContext | undefined {
  const job = jobs.get(jobId)
  if (!job) return undefined
  const pack = jobs.pack(jobId)
  if (!pack) return undefined
  const attachments = jobs.attachments(jobId)
  const calibration: Record<string, DeviceCalibration> = {}
  for (const a of attachments) calibration[a.deviceId] = calibrationOf(a.deviceId) ?? {}
  return { job, pack, markers: jobs.markers(jobId), overrides: jobs.overrides(jobId), attachments, record: jobs.record(jobId), calibration, now }
}
