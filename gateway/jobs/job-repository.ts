/** Jobs, the devices attached to them, and the installer's step markers, in the embedded database. */
import type { Db } from '../store/database.js'
import type { Attachment, InstalledUnit, Job, StepId, StepMarker } from './job.js'

export class JobExistsError extends Error {}

interface JobRow {
  id: string
  installer_id: string | null
  rule_pack: string
  pack_version: string
  unit: string
  created_at: number
}

export class JobRepository {
  private readonly insertJob
  private readonly selectJob
  private readonly insertAttachment
  private readonly closeAttachment
  private readonly selectAttachments
  private readonly insertMarker
  private readonly selectMarkers

  constructor(db: Db) {
    this.insertJob = db.prepare('INSERT INTO jobs (id, installer_id, rule_pack, pack_version, unit, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    this.selectJob = db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?')
    this.insertAttachment = db.prepare('INSERT OR IGNORE INTO job_devices (job_id, device_id, attached_at) VALUES (?, ?, ?)')
    this.closeAttachment = db.prepare(
      'UPDATE job_devices SET detached_at = ? WHERE job_id = ? AND device_id = ? AND detached_at IS NULL AND attached_at <= ?',
    )
    this.selectAttachments = db.prepare<[string], { device_id: string; attached_at: number; detached_at: number | null }>(
      'SELECT device_id, attached_at, detached_at FROM job_devices WHERE job_id = ? ORDER BY attached_at',
    )
    this.insertMarker = db.prepare('INSERT INTO step_markers (job_id, step, action, at, received_at, facts) VALUES (?, ?, ?, ?, ?, ?)')
    this.selectMarkers = db.prepare<[string], { step: StepId; action: 'start' | 'stop'; at: number; received_at: number; facts: string }>(
      'SELECT step, action, at, received_at, facts FROM step_markers WHERE job_id = ? ORDER BY at, id',
    )
  }

  create(job: Job): void {
    try {
      this.insertJob.run(job.id, job.installerId, job.rulePack.id, job.rulePack.version, JSON.stringify(job.unit), job.createdAt)
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new JobExistsError(`job "${job.id}" already exists`)
      }
      throw err
    }
  }

  get(jobId: string): Job | undefined {
    const row = this.selectJob.get(jobId)
    if (!row) return undefined
    return {
      id: row.id,
      installerId: row.installer_id,
      rulePack: { id: row.rule_pack, version: row.pack_version },
      unit: JSON.parse(row.unit) as InstalledUnit,
      createdAt: row.created_at,
    }
  }

  attach(jobId: string, deviceId: string, at: number): void {
    this.insertAttachment.run(jobId, deviceId, at)
  }

  /** Ends the device's open attachment; returns false if it had none. */
  detach(jobId: string, deviceId: string, at: number): boolean {
    return this.closeAttachment.run(at, jobId, deviceId, at).changes > 0
  }

  attachments(jobId: string): Attachment[] {
    return this.selectAttachments.all(jobId).map((r) => ({ deviceId: r.device_id, attachedAt: r.attached_at, detachedAt: r.detached_at }))
  }

  addMarker(jobId: string, marker: StepMarker): void {
    this.insertMarker.run(jobId, marker.step, marker.action, marker.at, marker.receivedAt, JSON.stringify(marker.facts))
  }

  markers(jobId: string): StepMarker[] {
    return this.selectMarkers.all(jobId).map((r) => ({
      step: r.step,
      action: r.action,
      at: r.at,
      receivedAt: r.received_at,
      facts: JSON.parse(r.facts) as Record<string, unknown>,
    }))
  }
}
