/**
 * 1: the tables as every gateway before numbered migrations created them at each open
 * (CREATE IF NOT EXISTS, so a data dir missing some gets them), then seen_seq(device_id, seq)
 * becomes per-device seq epochs in device_ingest_state.
 *
 * Version 0 kept every seq ever seen, so a device whose counter restarted had all later
 * samples dropped. Each device now starts in epoch 0 with its highest seq as the last one:
 * a lower seq (the counter restarted) begins a new epoch and is stored.
 */
import type { Migration } from './migration.js'

/** The DDL of gateway/store/database.ts at schema version 2 (c85883b), unchanged: old data dirs were made by it. */
export const BASE_TABLES = `
CREATE TABLE IF NOT EXISTS readings (
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  ts          INTEGER NOT NULL,  -- device time, ms: the evidence
  value       REAL    NOT NULL,  -- canonical unit of the channel
  received_at INTEGER NOT NULL,  -- gateway time, ms: the provenance
  PRIMARY KEY (device_id, channel, ts)   -- same device, channel, device time = same point
) WITHOUT ROWID;

-- The value and unit exactly as the device sent them ({"value": 118, "unit": "psi"}), for the
-- readings sent with a unit: evidence beside the canonical readings.value. A plain number is
-- canonical already and has no row here, so its insert is the one it always was.
CREATE TABLE IF NOT EXISTS readings_sent (
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  ts          INTEGER NOT NULL,
  value       REAL    NOT NULL,
  unit        TEXT    NOT NULL,
  PRIMARY KEY (device_id, channel, ts)   -- the reading's key: written in the same transaction
) WITHOUT ROWID;

-- A re-send of a stored point with a different value: kept beside it, never dropped, and flagged
-- (readings API, verdict). The same conflicting value again is a duplicate (primary key).
CREATE TABLE IF NOT EXISTS readings_conflicts (
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  ts          INTEGER NOT NULL,
  value       REAL    NOT NULL,
  received_at INTEGER NOT NULL,
  sent_value  REAL,              -- as sent, when the device gave a unit (like readings_sent); else NULL
  sent_unit   TEXT,
  PRIMARY KEY (device_id, channel, ts, value)
) WITHOUT ROWID;
-- Arrival order, so listing a point's first values reads only those (not every value re-sent).
CREATE INDEX IF NOT EXISTS readings_conflicts_arrival ON readings_conflicts (device_id, channel, ts, received_at);

-- What the ingest must remember per device across restarts (docs/protocol.md, "Readings").
CREATE TABLE IF NOT EXISTS device_ingest_state (
  device_id   TEXT    PRIMARY KEY,
  implicit_ts INTEGER,                     -- last device time given to a timestamp-less reading
  seq_epoch   INTEGER NOT NULL DEFAULT 0,  -- +1 each time the device's seq counter went backwards
  last_seq    INTEGER                      -- last seq of the current epoch
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS quarantine (
  id          INTEGER PRIMARY KEY,
  device_id   TEXT,
  topic       TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  code        TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  raw         BLOB    NOT NULL    -- the payload exactly as received
);

CREATE TABLE IF NOT EXISTS devices (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  model       TEXT,
  secret_hash BLOB NOT NULL,
  bridge_for  TEXT NOT NULL DEFAULT '[]',
  attributes  TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs (
  id           TEXT PRIMARY KEY,
  installer_id TEXT,
  rule_pack    TEXT NOT NULL,
  pack_version TEXT NOT NULL,
  pack         TEXT NOT NULL,   -- the rule pack as it was when the job was created: its verdict never changes under it
  unit         TEXT NOT NULL,
  record       TEXT NOT NULL DEFAULT '{}',  -- the installation record the installer declares (S3, S5, S7...)
  created_at   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS check_overrides (
  id      INTEGER PRIMARY KEY,
  job_id  TEXT    NOT NULL REFERENCES jobs(id),
  step    TEXT    NOT NULL,
  check_id TEXT   NOT NULL,
  status  TEXT    NOT NULL,
  reason  TEXT    NOT NULL,
  by_user TEXT    NOT NULL,
  at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS job_devices (
  job_id      TEXT    NOT NULL REFERENCES jobs(id),
  device_id   TEXT    NOT NULL REFERENCES devices(id),
  attached_at INTEGER NOT NULL,
  detached_at INTEGER,
  PRIMARY KEY (job_id, device_id, attached_at)
);

CREATE TABLE IF NOT EXISTS step_markers (
  id          INTEGER PRIMARY KEY,
  job_id      TEXT    NOT NULL REFERENCES jobs(id),
  step        TEXT    NOT NULL,
  action      TEXT    NOT NULL CHECK (action IN ('start', 'stop')),
  at          INTEGER NOT NULL,  -- when it happened (may be sent late)
  received_at INTEGER NOT NULL,
  facts       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS step_markers_job ON step_markers (job_id, step, at);

-- Events inside a step (the evacuation pump's isolation), gateway/jobs/step-event-repository.ts.
CREATE TABLE IF NOT EXISTS step_events (
  id          INTEGER PRIMARY KEY,
  job_id      TEXT    NOT NULL REFERENCES jobs(id),
  step        TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('isolate')),
  at          INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS step_events_job ON step_events (job_id, at);

-- Every rule pack version this gateway has started with, and its content hash: a pack whose
-- numbers changed under an old version is refused at start (gateway/packs/pack-hashes.ts).
CREATE TABLE IF NOT EXISTS pack_hashes (
  pack_id    TEXT    NOT NULL,
  version    TEXT    NOT NULL,
  hash       TEXT    NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (pack_id, version)
) WITHOUT ROWID;

-- What each channel of an attached device measures on the job (e.g. {"current_a":"compressor"}),
-- declared at attachment: two devices reporting one channel are never merged.
CREATE TABLE IF NOT EXISTS attachment_roles (
  job_id      TEXT    NOT NULL,
  device_id   TEXT    NOT NULL,
  attached_at INTEGER NOT NULL,
  roles       TEXT    NOT NULL,
  PRIMARY KEY (job_id, device_id, attached_at)
) WITHOUT ROWID;

-- S15: the installer confirmed the work order (after uploading photos, location and barcode);
-- from then on what the record still lacks fails instead of pending.
CREATE TABLE IF NOT EXISTS work_order_confirmations (
  job_id       TEXT    PRIMARY KEY,
  confirmed_at INTEGER NOT NULL,
  by_user      TEXT
);

`

export const seqEpochs: Migration = {
  version: 1,
  name: 'base tables, seq epochs',
  up(db) {
    db.exec(BASE_TABLES)
    const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen_seq'").get()
    if (!old) return
    db.exec(`
      INSERT INTO device_ingest_state (device_id, seq_epoch, last_seq)
        SELECT device_id, 0, MAX(seq) FROM seen_seq WHERE true GROUP BY device_id -- WHERE: SQLite's upsert-after-SELECT parsing rule
        ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq;
      DROP TABLE seen_seq;
    `)
  },
}
