/**
 * Alerts, their audit trail, the fault evaluators' states and the installer call-backs in
 * SQLite (issue 11: alerts survive restarts). The alerts module writes one batch of changes
 * in one transaction (`commit`), then tells the bus; readers list and page from here.
 */
import { z } from 'zod'

import type { Deadlines } from '../../rules/faults/fault-pack-schema.js'
import type { Db } from '../store/database.js'
import { parseStoredJson } from '../store/stored-json.js'
import { currentTeam, SYSTEM_ACTOR, type Alert, type AlertState, type AuditEntry } from './alert-lifecycle.js'
import { parseAlert } from './alert-record.js'

export interface AlertFilter {
  state?: AlertState
  team?: string
  deviceId?: string
  fault?: string
  severity?: string
  /** Page after this alert (raised_at, id order, newest first). */
  cursor?: string
  limit: number
}

/** `damaged`: the stored entry could not be read; the rest stands in for it (auditOf). */
export type StoredAudit = AuditEntry & { seq: number; team: string; damaged?: string }

/** An alerts row's plain columns. */
export interface AlertColumns {
  deviceId: string
  fault: string
  severity: string
}

export interface CallbackRow {
  alertId: string
  installerId: string
  jobId: string
  deviceId: string
  installedAt: number
  callbackAt: number
  leak: boolean
}

/** What one batch writes. */
export interface AlertBatch {
  states: { deviceId: string; key: string; state: unknown }[]
  alerts: Alert[]
  audit: { entry: AuditEntry; team: string }[]
  callbacks: CallbackRow[]
}

const AuditEntrySchema = z
  .object({
    alertId: z.string(),
    at: z.number(),
    actor: z.string(),
    action: z.enum(['raise', 'retrigger', 'acknowledge', 'assign', 'clear', 'auto_clear', 'escalate', 'on_site', 'update']),
    from: z.enum(['active', 'acknowledged', 'cleared']).nullable(),
    to: z.enum(['active', 'acknowledged', 'cleared']),
    note: z.string(),
  })
  .strict()

/** Cursors are opaque to clients: "<raised_at>:<id>" in base64url. */
const encodeCursor = (raisedAt: number, id: string): string => Buffer.from(`${raisedAt}:${id}`).toString('base64url')
function decodeCursor(c: string): { raisedAt: number; id: string } | undefined {
  const s = Buffer.from(c, 'base64url').toString('utf8')
  const i = s.indexOf(':')
  const raisedAt = Number(s.slice(0, i))
  return i > 0 && Number.isFinite(raisedAt) ? { raisedAt, id: s.slice(i + 1) } : undefined
}

export class AlertStore {
  private readonly putState
  private readonly putAlert
  private readonly putAudit
  private readonly putCallback
  private readonly selectStates
  private readonly selectOpen
  private readonly selectOne
  private readonly selectColumns
  private readonly selectAudit
  private readonly selectAuditAfter
  private readonly selectTeamAuditAfter
  private readonly selectCallbacks
  private readonly tx

  constructor(private readonly db: Db, private readonly deadlinesOf: (deviceId: string) => Deadlines | undefined) {
    this.putState = db.prepare('INSERT INTO fault_state (device_id, fault, state) VALUES (?, ?, ?) ON CONFLICT (device_id, fault) DO UPDATE SET state = excluded.state')
    this.putAlert = db.prepare(
      `INSERT INTO alerts (id, device_id, fault, state, severity, team, raised_at, updated_at, record) VALUES (@id, @deviceId, @fault, @state, @severity, @team, @raisedAt, @updatedAt, @record)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, severity = excluded.severity, team = excluded.team, updated_at = excluded.updated_at, record = excluded.record`,
    )
    this.putAudit = db.prepare('INSERT INTO alert_audit (alert_id, at, team, entry) VALUES (?, ?, ?, ?)')
    this.putCallback = db.prepare(
      'INSERT OR IGNORE INTO installer_callbacks (alert_id, installer_id, job_id, device_id, installed_at, callback_at, leak) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    this.selectStates = db.prepare<[], { device_id: string; fault: string; state: string }>('SELECT device_id, fault, state FROM fault_state')
    this.selectOpen = db.prepare<[], { record: string; id: string }>("SELECT id, record FROM alerts WHERE state != 'cleared'")
    this.selectOne = db.prepare<[string], { record: string; id: string }>('SELECT id, record FROM alerts WHERE id = ?')
    this.selectColumns = db.prepare<[string], AlertColumns>('SELECT device_id AS deviceId, fault, severity FROM alerts WHERE id = ?')
    this.selectAudit = db.prepare<[string], AuditRow>('SELECT a.seq, a.team, a.entry, a.alert_id, a.at, al.state AS alert_state FROM alert_audit a LEFT JOIN alerts al ON al.id = a.alert_id WHERE a.alert_id = ? ORDER BY a.seq')
    this.selectAuditAfter = db.prepare<[number, number], AuditRow>('SELECT a.seq, a.team, a.entry, a.alert_id, a.at, al.state AS alert_state FROM alert_audit a LEFT JOIN alerts al ON al.id = a.alert_id WHERE a.seq > ? ORDER BY a.seq LIMIT ?')
    this.selectTeamAuditAfter = db.prepare<[string, number, number], AuditRow>('SELECT a.seq, a.team, a.entry, a.alert_id, a.at, al.state AS alert_state FROM alert_audit a LEFT JOIN alerts al ON al.id = a.alert_id WHERE a.team = ? AND a.seq > ? ORDER BY a.seq LIMIT ?')
    this.selectCallbacks = db.prepare<[string], { alert_id: string; installer_id: string; job_id: string; device_id: string; installed_at: number; callback_at: number; leak: number }>(
      'SELECT * FROM installer_callbacks WHERE installer_id = ? ORDER BY callback_at',
    )
    this.tx = db.transaction((b: AlertBatch): number[] => {
      for (const s of b.states) this.putState.run(s.deviceId, s.key, JSON.stringify(s.state))
      for (const a of b.alerts) {
        this.putAlert.run({ id: a.id, deviceId: a.deviceId, fault: a.fault, state: a.state, severity: a.worstSeverity, team: currentTeam(a), raisedAt: a.raisedAt, updatedAt: updatedAt(a), record: JSON.stringify(a) })
      }
      const seqs: number[] = []
      for (const { entry, team } of b.audit) seqs.push(Number(this.putAudit.run(entry.alertId, entry.at, team, JSON.stringify(entry)).lastInsertRowid))
      for (const c of b.callbacks) this.putCallback.run(c.alertId, c.installerId, c.jobId, c.deviceId, c.installedAt, c.callbackAt, c.leak ? 1 : 0)
      return seqs
    })
  }

  /** Writes the batch in one transaction; returns the audit entries' sequence numbers, in order. */
  commit(b: AlertBatch): number[] {
    if (b.states.length === 0 && b.alerts.length === 0 && b.audit.length === 0 && b.callbacks.length === 0) return []
    return this.tx(b)
  }

  /** Every persisted evaluator state: device → evaluator key → JSON. */
  states(): Map<string, Map<string, unknown>> {
    const out = new Map<string, Map<string, unknown>>()
    for (const r of this.selectStates.iterate()) {
      let m = out.get(r.device_id)
      if (!m) out.set(r.device_id, (m = new Map()))
      m.set(r.fault, parseStoredJson(r.state, 'fault_state', `device ${JSON.stringify(r.device_id)} fault ${r.fault} column state`, z.unknown()))
    }
    return out
  }

  /** The open (not cleared) alerts, as stored. */
  open(): Alert[] {
    const out: Alert[] = []
    for (const r of this.selectOpen.iterate()) out.push(this.parse(r))
    return out
  }

  get(id: string): Alert | undefined {
    const r = this.selectOne.get(id)
    return r ? this.parse(r) : undefined
  }

  /** What the alerts row's own columns say (they stay readable when its record does not parse). */
  columnsOf(id: string): AlertColumns | undefined {
    return this.selectColumns.get(id)
  }

  audit(alertId: string): StoredAudit[] {
    return this.selectAudit.all(alertId).map((r) => auditOf(r))
  }

  /** Audit entries after `seq` (the SSE resume), oldest first. */
  auditAfter(seq: number, limit: number): StoredAudit[] {
    return this.selectAuditAfter.all(seq, limit).map((r) => auditOf(r))
  }

  /** One team's audit entries after `seq`, oldest first (the SSE stream; index alert_audit_team). */
  teamAuditAfter(team: string, seq: number, limit: number): StoredAudit[] {
    return this.selectTeamAuditAfter.all(team, seq, limit).map((r) => auditOf(r))
  }

  list(f: AlertFilter): { alerts: Alert[]; next: string | null } {
    const where: string[] = []
    const args: Record<string, string | number> = {}
    if (f.state) (where.push('state = @state'), (args.state = f.state))
    if (f.team) (where.push('team = @team'), (args.team = f.team))
    if (f.deviceId) (where.push('device_id = @deviceId'), (args.deviceId = f.deviceId))
    if (f.fault) (where.push('fault = @fault'), (args.fault = f.fault))
    if (f.severity) (where.push('severity = @severity'), (args.severity = f.severity))
    const c = f.cursor ? decodeCursor(f.cursor) : undefined
    if (c) (where.push('(raised_at < @cRaised OR (raised_at = @cRaised AND id < @cId))'), (args.cRaised = c.raisedAt), (args.cId = c.id))
    args.limit = f.limit + 1
    const sql = `SELECT id, record, raised_at FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id DESC LIMIT @limit`
    const rows = this.db.prepare<Record<string, string | number>, { id: string; record: string; raised_at: number }>(sql).all(args)
    const more = rows.length > f.limit
    const page = more ? rows.slice(0, f.limit) : rows
    const last = page[page.length - 1]
    return { alerts: page.map((r) => this.parse(r)), next: more && last ? encodeCursor(last.raised_at, last.id) : null }
  }

  callbacks(installerId: string): CallbackRow[] {
    return this.selectCallbacks.all(installerId).map((r) => ({ alertId: r.alert_id, installerId: r.installer_id, jobId: r.job_id, deviceId: r.device_id, installedAt: r.installed_at, callbackAt: r.callback_at, leak: r.leak === 1 }))
  }

  private parse(r: { id: string; record: string }): Alert {
    const json = parseStoredJson(r.record, 'alerts', `id ${JSON.stringify(r.id)} column record`, z.object({ deviceId: z.string() }).loose())
    const d = this.deadlinesOf(json.deviceId)
    if (!d) throw new Error(`alert ${r.id}: unit ${json.deviceId} is no longer in service with a faults section; its deadlines are unknown`)
    return parseAlert(json, d)
  }
}

interface AuditRow {
  seq: number
  team: string
  entry: string
  alert_id: string
  at: number
  /** The alert's state now (NULL: the alert row is gone), for a damaged entry's stand-in. */
  alert_state: AlertState | null
}

/**
 * A damaged entry (a disk fault, a hand edit) is not skipped and does not stop the readers
 * behind it (deliveries, InfluxDB, the SSE stream, the alert's trail): it stands as an 'update'
 * by the system whose note says what is wrong, with `damaged` set.
 */
function auditOf(r: AuditRow): StoredAudit {
  try {
    return { ...parseStoredJson(r.entry, 'alert_audit', `seq ${r.seq} column entry`, AuditEntrySchema), seq: r.seq, team: r.team }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    const to = r.alert_state ?? 'active'
    return { alertId: r.alert_id, at: r.at, actor: SYSTEM_ACTOR, action: 'update', from: to, to, note: `this audit entry cannot be read: ${why}`, seq: r.seq, team: r.team, damaged: why }
  }
}

/** The latest time the alert changed. */
function updatedAt(a: Alert): number {
  let t = a.lastSeenAt
  if (a.acknowledged) t = Math.max(t, a.acknowledged.at)
  if (a.assignee) t = Math.max(t, a.assignee.at)
  if (a.cleared) t = Math.max(t, a.cleared.at)
  for (const e of a.escalations) t = Math.max(t, e.at)
  return t
}
