/**
 * Jobs, the devices attached to them, and the installer's step markers, in the embedded
 * database. JSON columns are parsed with the schema of what was written (stored-json.ts): a
 * row that does not parse throws a StoredRowError naming it, for that job only.
 */
import { z } from 'zod'
import type { Db } from '../store/database.js'
import type { EventBus } from '../bus/event-bus.js'
import { parseStoredJson } from '../store/stored-json.js'
import type { RulePack } from '../../rules/pack-schema.js'
import { parseStoredPack } from './stored-pack.js'
import { ChannelRolesSchema, UnitSchema, type Attachment, type CheckOverride, type Job, type StepId, type StepMarker } from '../../contract/job.js'

/** The installation record and a marker's facts: objects of what the installer declared (checked when declared). */
const DeclaredSchema = z.record(z.string(), z.unknown())

export class JobExistsError extends Error {}

export interface WorkOrderConfirmation {
  confirmedAt: number
  by: string | null
}

interface JobRow {
  id: string
  installer_id: string | null
  rule_pack: string
  pack_version: string
  unit: string
  record: string
  created_at: number
}

export class JobRepository {
  private readonly insertJob
  private readonly selectOpenAttachments
  private readonly selectPack
  private readonly updateRecord
  private readonly insertOverride
  private readonly selectOverrides
  private readonly selectJob
  private readonly insertAttachment
  private readonly closeAttachment
  private readonly selectAttachments
  private readonly insertMarker
  private readonly selectMarkers
  private readonly insertRoles
  private readonly insertConfirmation
  private readonly selectConfirmation
  private readonly selectRoles

  /** Every write emits 'job.changed' on `bus` (the job monitor re-evaluates; no caller has to remember). */
  constructor(db: Db, private readonly bus?: EventBus) {
    this.insertJob = db.prepare(
      'INSERT INTO jobs (id, installer_id, rule_pack, pack_version, pack, unit, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    this.selectOpenAttachments = db.prepare<[], { job_id: string; device_id: string }>(
      'SELECT job_id, device_id FROM job_devices WHERE detached_at IS NULL',
    )
    this.selectPack = db.prepare<[string], { pack: string }>('SELECT pack FROM jobs WHERE id = ?')
    this.updateRecord = db.prepare('UPDATE jobs SET record = ? WHERE id = ?')
    this.insertOverride = db.prepare('INSERT INTO check_overrides (job_id, step, check_id, status, reason, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    this.selectOverrides = db.prepare<[string], { step: string; check_id: string; status: CheckOverride['status']; reason: string; by_user: string; at: number }>(
      'SELECT step, check_id, status, reason, by_user, at FROM check_overrides WHERE job_id = ? ORDER BY at, id',
    )
    this.selectJob = db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?')
    this.insertAttachment = db.prepare('INSERT OR IGNORE INTO job_devices (job_id, device_id, attached_at) VALUES (?, ?, ?)')
    this.closeAttachment = db.prepare(
      'UPDATE job_devices SET detached_at = ? WHERE job_id = ? AND device_id = ? AND detached_at IS NULL AND attached_at <= ?',
    )
    this.selectAttachments = db.prepare<[string], { device_id: string; attached_at: number; detached_at: number | null }>(
      'SELECT device_id, attached_at, detached_at FROM job_devices WHERE job_id = ? ORDER BY attached_at',
    )
    this.insertRoles = db.prepare('INSERT OR IGNORE INTO attachment_roles (job_id, device_id, attached_at, roles) VALUES (?, ?, ?, ?)')
    this.selectRoles = db.prepare<[string], { device_id: string; attached_at: number; roles: string }>(
      'SELECT device_id, attached_at, roles FROM attachment_roles WHERE job_id = ?',
    )
    this.insertConfirmation = db.prepare('INSERT OR IGNORE INTO work_order_confirmations (job_id, confirmed_at, by_user) VALUES (?, ?, ?)')
    this.selectConfirmation = db.prepare<[string], { confirmed_at: number; by_user: string | null }>(
      'SELECT confirmed_at, by_user FROM work_order_confirmations WHERE job_id = ?',
    )
    this.insertMarker = db.prepare('INSERT INTO step_markers (job_id, step, action, at, received_at, facts) VALUES (?, ?, ?, ?, ?, ?)')
    this.selectMarkers = db.prepare<[string], { step: StepId; action: 'start' | 'stop'; at: number; received_at: number; facts: string }>(
      'SELECT step, action, at, received_at, facts FROM step_markers WHERE job_id = ? ORDER BY at, id',
    )
  }

  /** Creates the job with a copy of its rule pack, so later pack changes never change its verdict. */
  create(job: Job, pack: RulePack): void {
    try {
      this.insertJob.run(job.id, job.installerId, job.rulePack.id, job.rulePack.version, JSON.stringify(pack), JSON.stringify(job.unit), job.createdAt)
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new JobExistsError(`job "${job.id}" already exists`)
      }
      throw err
    }
    this.bus?.emit('job.changed', { jobId: job.id, change: 'created' })
  }

  get(jobId: string): Job | undefined {
    const row = this.selectJob.get(jobId)
    if (!row) return undefined
    return {
      id: row.id,
      installerId: row.installer_id,
      rulePack: { id: row.rule_pack, version: row.pack_version },
      unit: parseStoredJson(row.unit, 'jobs', `id ${JSON.stringify(row.id)} column unit`, UnitSchema),
      createdAt: row.created_at,
    }
  }

  /** The rule pack the job is judged by, as it was when the job was created. */
  pack(jobId: string): RulePack | undefined {
    const row = this.selectPack.get(jobId)
    return row ? parseStoredPack(row.pack, jobId) : undefined
  }

  /** The installation record: what the installer declared so far. */
  record(jobId: string): Record<string, unknown> {
    const row = this.selectJob.get(jobId)
    return row ? parseStoredJson(row.record, 'jobs', `id ${JSON.stringify(jobId)} column record`, DeclaredSchema) : {}
  }

  /** Merges declared fields into the record (a later declaration of a field replaces the earlier one). */
  mergeRecord(jobId: string, fields: Record<string, unknown>): Record<string, unknown> {
    const merged = { ...this.record(jobId), ...fields }
    this.updateRecord.run(JSON.stringify(merged), jobId)
    this.bus?.emit('job.changed', { jobId, change: 'record' })
    return merged
  }

  addOverride(jobId: string, o: CheckOverride): void {
    this.insertOverride.run(jobId, o.step, o.check, o.status, o.reason, o.by, o.at)
    this.bus?.emit('job.changed', { jobId, change: 'override' })
  }

  overrides(jobId: string): CheckOverride[] {
    return this.selectOverrides.all(jobId).map((r) => ({ step: r.step, check: r.check_id, status: r.status, reason: r.reason, by: r.by_user, at: r.at }))
  }

  attach(jobId: string, deviceId: string, at: number, roles?: Attachment['roles']): void {
    this.insertAttachment.run(jobId, deviceId, at)
    if (roles && Object.keys(roles).length > 0) this.insertRoles.run(jobId, deviceId, at, JSON.stringify(roles))
    this.bus?.emit('job.changed', { jobId, change: 'attached', deviceId })
  }

  /** Ends the device's open attachment; returns false if it had none. */
  detach(jobId: string, deviceId: string, at: number): boolean {
    const closed = this.closeAttachment.run(at, jobId, deviceId, at).changes > 0
    if (closed) this.bus?.emit('job.changed', { jobId, change: 'detached', deviceId })
    return closed
  }

  attachments(jobId: string): Attachment[] {
    const roles = new Map<string, Attachment['roles']>()
    for (const r of this.selectRoles.all(jobId)) {
      const where = `job ${JSON.stringify(jobId)} device ${JSON.stringify(r.device_id)} attached_at ${r.attached_at} column roles`
      roles.set(`${r.device_id}\u0000${r.attached_at}`, parseStoredJson(r.roles, 'attachment_roles', where, ChannelRolesSchema))
    }
    return this.selectAttachments.all(jobId).map((r) => {
      const declared = roles.get(`${r.device_id}\u0000${r.attached_at}`)
      return { deviceId: r.device_id, attachedAt: r.attached_at, detachedAt: r.detached_at, ...(declared ? { roles: declared } : {}) }
    })
  }

  /** Every attachment not yet ended: which devices currently feed which jobs. */
  openAttachments(): { jobId: string; deviceId: string }[] {
    return this.selectOpenAttachments.all().map((r) => ({ jobId: r.job_id, deviceId: r.device_id }))
  }

  /** Records the S15 confirmation once; returns the confirmation in force (the first one). */
  confirmWorkOrder(jobId: string, at: number, by: string | null): WorkOrderConfirmation {
    if (this.insertConfirmation.run(jobId, at, by).changes > 0) this.bus?.emit('job.changed', { jobId, change: 'confirmed' })
    return this.confirmation(jobId)!
  }

  confirmation(jobId: string): WorkOrderConfirmation | undefined {
    const row = this.selectConfirmation.get(jobId)
    return row ? { confirmedAt: row.confirmed_at, by: row.by_user } : undefined
  }

  addMarker(jobId: string, marker: StepMarker): void {
    this.insertMarker.run(jobId, marker.step, marker.action, marker.at, marker.receivedAt, JSON.stringify(marker.facts))
    this.bus?.emit('job.changed', { jobId, change: 'marker' })
  }

  markers(jobId: string): StepMarker[] {
    return this.selectMarkers.all(jobId).map((r) => ({
      step: r.step,
      action: r.action,
      at: r.at,
      receivedAt: r.received_at,
      facts: parseStoredJson(r.facts, 'step_markers', `job ${JSON.stringify(jobId)} step ${r.step} ${r.action} at ${r.at} column facts`, DeclaredSchema),
    }))
  }
}
