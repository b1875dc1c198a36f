/**
 * 5: fault alerts of units in service (issue 11). Units in service with the pack their job was
 * judged by; each fault evaluator's state (so a restart mid-duration neither forgets nor fires
 * twice); alerts (the current record as JSON, with the columns lists filter on); the audit
 * trail (its seq is the SSE event id, so a reconnect resumes from it); installer call-backs (T4).
 */
import type { Migration } from './migration.js'

export const alertTables: Migration = {
  version: 5,
  name: 'alerts',
  up(db) {
    db.exec(`
      CREATE TABLE in_service_units (
        device_id    TEXT    PRIMARY KEY,
        since        INTEGER NOT NULL,          -- inServiceSince: readings at ts >= since that count for no job feed the fault rules
        job_id       TEXT,                      -- the job closed to put it in service (NULL: registered directly)
        pack_id      TEXT    NOT NULL,
        pack_version TEXT    NOT NULL,
        pack         TEXT    NOT NULL,          -- the pack copy (the one its job was judged by), JSON
        unit         TEXT    NOT NULL,          -- the unit descriptor (nameplate), JSON
        site         TEXT,
        region       TEXT,
        installer_id TEXT,
        tags         TEXT    NOT NULL DEFAULT '[]',
        created_at   INTEGER NOT NULL
      );
      CREATE TABLE job_closures (
        job_id    TEXT    PRIMARY KEY,
        closed_at INTEGER NOT NULL,
        by_call   INTEGER NOT NULL              -- gateway time of the close request
      );
      CREATE TABLE fault_state (
        device_id TEXT NOT NULL,
        fault     TEXT NOT NULL,                -- evaluator key (leakage, offline, errorCodes, ...)
        state     TEXT NOT NULL,                -- the evaluator's state, JSON
        PRIMARY KEY (device_id, fault)
      ) WITHOUT ROWID;
      CREATE TABLE alerts (
        id         TEXT    PRIMARY KEY,
        device_id  TEXT    NOT NULL,
        fault      TEXT    NOT NULL,
        state      TEXT    NOT NULL,
        severity   TEXT    NOT NULL,
        team       TEXT    NOT NULL,
        raised_at  INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        record     TEXT    NOT NULL             -- the Alert, JSON (gateway/alerts/alert-record.ts)
      );
      CREATE INDEX alerts_unit_fault ON alerts (device_id, fault, raised_at);
      CREATE INDEX alerts_state ON alerts (state, raised_at);
      CREATE TABLE alert_audit (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT    NOT NULL,
        at       INTEGER NOT NULL,
        team     TEXT    NOT NULL,
        entry    TEXT    NOT NULL               -- the AuditEntry, JSON
      );
      CREATE INDEX alert_audit_alert ON alert_audit (alert_id, seq);
      CREATE TABLE installer_callbacks (
        alert_id     TEXT    PRIMARY KEY,
        installer_id TEXT    NOT NULL,
        job_id       TEXT    NOT NULL,
        device_id    TEXT    NOT NULL,
        installed_at INTEGER NOT NULL,
        callback_at  INTEGER NOT NULL,
        leak         INTEGER NOT NULL
      );
      CREATE INDEX installer_callbacks_installer ON installer_callbacks (installer_id, callback_at);
    `)
  },
}
