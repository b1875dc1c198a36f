/**
 * A data dir written by the gateway before numbered migrations (schema version 2, c85883b)
 * opens with this one and keeps every row. The fixture's DDL is that gateway's, copied here
 * (gateway/store/database.ts and influx-outbox.ts at c85883b), not imported: the point is
 * what the old code left on disk.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { InfluxOutbox } from '../../gateway/sinks/influx/influx-outbox.js'
import { openDatabase } from '../../gateway/store/database.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const OLD_DDL = `
CREATE TABLE IF NOT EXISTS readings (
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  ts          INTEGER NOT NULL,
  value       REAL    NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (device_id, channel, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS readings_sent (
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  ts          INTEGER NOT NULL,
  value       REAL    NOT NULL,
  unit        TEXT    NOT NULL,
  PRIMARY KEY (device_id, channel, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS readings_conflicts (
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  ts          INTEGER NOT NULL,
  value       REAL    NOT NULL,
  received_at INTEGER NOT NULL,
  sent_value  REAL,
  sent_unit   TEXT,
  PRIMARY KEY (device_id, channel, ts, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_conflicts_arrival ON readings_conflicts (device_id, channel, ts, received_at);
CREATE TABLE IF NOT EXISTS device_ingest_state (
  device_id   TEXT    PRIMARY KEY,
  implicit_ts INTEGER,
  seq_epoch   INTEGER NOT NULL DEFAULT 0,
  last_seq    INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quarantine (
  id          INTEGER PRIMARY KEY,
  device_id   TEXT,
  topic       TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  code        TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  raw         BLOB    NOT NULL
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
  pack         TEXT NOT NULL,
  unit         TEXT NOT NULL,
  record       TEXT NOT NULL DEFAULT '{}',
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
  at          INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  facts       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS step_markers_job ON step_markers (job_id, step, at);
CREATE TABLE IF NOT EXISTS step_events (
  id          INTEGER PRIMARY KEY,
  job_id      TEXT    NOT NULL REFERENCES jobs(id),
  step        TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('isolate')),
  at          INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS step_events_job ON step_events (job_id, at);
CREATE TABLE IF NOT EXISTS pack_hashes (
  pack_id    TEXT    NOT NULL,
  version    TEXT    NOT NULL,
  hash       TEXT    NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (pack_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachment_roles (
  job_id      TEXT    NOT NULL,
  device_id   TEXT    NOT NULL,
  attached_at INTEGER NOT NULL,
  roles       TEXT    NOT NULL,
  PRIMARY KEY (job_id, device_id, attached_at)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS work_order_confirmations (
  job_id       TEXT    PRIMARY KEY,
  confirmed_at INTEGER NOT NULL,
  by_user      TEXT
);
`

/** With InfluxDB configured, the old ingest log and forwarder also made these. */
const OLD_INFLUX_DDL = `
CREATE TABLE influx_outbox (id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, ts INTEGER NOT NULL, queued_at INTEGER NOT NULL, n INTEGER NOT NULL, upto INTEGER NOT NULL);
CREATE TABLE influx_requeue (id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, from_ts INTEGER NOT NULL, to_ts INTEGER NOT NULL, purged INTEGER NOT NULL DEFAULT 0, channel_idx INTEGER NOT NULL DEFAULT 0, next_ts INTEGER);
CREATE TABLE influx_verdicts (id INTEGER PRIMARY KEY, verdict TEXT NOT NULL);
CREATE TABLE influx_rollup (device_id TEXT NOT NULL, hour INTEGER NOT NULL, PRIMARY KEY (device_id, hour)) WITHOUT ROWID;
CREATE INDEX job_devices_device ON job_devices (device_id);
`

const VERDICT = JSON.stringify({ jobId: 'job-1', installerId: null, rulePack: { id: 'split-r32', version: '1.0.0' }, status: 'in_progress', steps: [], at: 5000 })

/** One row in every table, as version 2 wrote them. */
const OLD_ROWS = `
INSERT INTO readings VALUES ('m-a', 'current_a', 1000, 5.5, 1100), ('m-a', 'current_a', 2000, 6.5, 2100);
INSERT INTO readings_sent VALUES ('m-a', 'current_a', 2000, 6500, 'mA');
INSERT INTO readings_conflicts VALUES ('m-a', 'current_a', 1000, 7.5, 1200, NULL, NULL);
INSERT INTO device_ingest_state VALUES ('m-a', 1500, 1, 42);
INSERT INTO quarantine VALUES (1, 'm-a', 'v1/devices/me/telemetry', 1300, 'invalid_json', 'payload: not JSON', X'7b7b');
INSERT INTO devices VALUES ('m-a', 'meter', 'M1', X'00', '[]', '{"serial":"S-1"}', 10);
INSERT INTO jobs VALUES ('job-1', 'inst-1', 'split-r32', '1.0.0', '{"id":"split-r32"}', '{"model":"X"}', '{"S3":true}', 20);
INSERT INTO check_overrides VALUES (1, 'job-1', 'evacuation', 'decay', 'pass', 'gauge replaced', 'qa', 30);
INSERT INTO job_devices VALUES ('job-1', 'm-a', 900, NULL);
INSERT INTO step_markers VALUES (1, 'job-1', 'evacuation', 'start', 950, 960, '{}');
INSERT INTO step_events VALUES (1, 'job-1', 'evacuation', 'isolate', 970, 980);
INSERT INTO pack_hashes VALUES ('split-r32', '1.0.0', 'abc', 5);
INSERT INTO attachment_roles VALUES ('job-1', 'm-a', 900, '{"current_a":"compressor"}');
INSERT INTO work_order_confirmations VALUES ('job-1', 990, 'inst-1');
`

const OLD_INFLUX_ROWS = `
INSERT INTO influx_outbox VALUES (7, 'm-a', 1000, 1100, 1, 1), (8, 'm-a', 2000, 2100, 1, 2);
INSERT INTO influx_requeue VALUES (1, 'm-a', 900, 9007199254740991, 1, 2, 950);
INSERT INTO influx_verdicts VALUES (3, '${VERDICT}');
INSERT INTO influx_rollup VALUES ('m-a', 3600000);
`

function version2DataDir(withInflux: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-migrate-'))
  dirs.push(dir)
  const db = new Database(join(dir, 'gateway.db'))
  db.exec(OLD_DDL)
  db.exec(OLD_ROWS)
  if (withInflux) {
    db.exec(OLD_INFLUX_DDL)
    db.exec(OLD_INFLUX_ROWS)
  }
  db.pragma('user_version = 2')
  db.close()
  return dir
}

/** Every row of every table the fixture filled, read the same way from the old and the new database. */
function dump(db: Database.Database, tables: readonly string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {}
  for (const t of tables) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()
  return out
}

const TABLES = ['readings', 'readings_sent', 'readings_conflicts', 'device_ingest_state', 'quarantine', 'devices', 'jobs', 'check_overrides', 'job_devices', 'step_markers', 'step_events', 'pack_hashes', 'attachment_roles', 'work_order_confirmations']

it('a version 2 data dir without InfluxDB: every row is still there after the upgrade, and again after a second open', () => {
  const dir = version2DataDir(false)
  const old = new Database(join(dir, 'gateway.db'), { readonly: true })
  const before = dump(old, TABLES)
  old.close()
  expect(before.readings).toHaveLength(2)

  const db = openDatabase(dir, 'normal')
  expect(dump(db, TABLES)).toEqual(before)
  // The tables repositories used to create on construction now exist whether or not InfluxDB was configured.
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')").all().map((r) => (r as { name: string }).name)
  expect(names).toEqual(expect.arrayContaining(['influx_requeue', 'influx_rollup', 'quarantine_received_at', 'quarantine_device', 'job_devices_device']))
  db.close()
  const again = openDatabase(dir, 'normal')
  expect(dump(again, TABLES)).toEqual(before)
  again.close()
})

it('a version 2 data dir with InfluxDB: the queued points and verdicts move to the generic outbox in order; re-route windows and roll-up hours are kept', async () => {
  const dir = version2DataDir(true)
  const db = openDatabase(dir, 'normal')
  expect(db.prepare('SELECT sink, id, key, at, payload, n, upto, queued_at, attempts FROM outbox ORDER BY sink, id').all()).toEqual([
    { sink: 'influx', id: 7, key: 'm-a', at: 1000, payload: null, n: 1, upto: 1, queued_at: 1100, attempts: 0 },
    { sink: 'influx', id: 8, key: 'm-a', at: 2000, payload: null, n: 1, upto: 2, queued_at: 2100, attempts: 0 },
    { sink: 'influx-verdicts', id: 3, key: 'job-1', at: 5000, payload: VERDICT, n: 1, upto: 1, queued_at: 0, attempts: 0 },
  ])
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('influx_outbox', 'influx_verdicts')").all()).toEqual([])
  // The forwarder's side reads them as it read the old tables.
  const queue = new InfluxOutbox(db)
  expect(queue.batch(10)).toEqual({ lastId: 8, points: [{ deviceId: 'm-a', ts: 1000 }, { deviceId: 'm-a', ts: 2000 }], readings: 2 })
  expect(queue.verdicts(10)).toEqual([{ id: 3, verdict: JSON.parse(VERDICT) }])
  expect(queue.queued(3000)).toMatchObject({ backlog: 2, lagMs: 1900, verdicts: 1, reroutes: 1, rollups: 1 })
  expect(db.prepare('SELECT * FROM influx_requeue').all()).toEqual([{ id: 1, device_id: 'm-a', from_ts: 900, to_ts: 9007199254740991, purged: 1, channel_idx: 2, next_ts: 950 }])
  expect(db.prepare('SELECT * FROM influx_rollup').all()).toEqual([{ device_id: 'm-a', hour: 3600000 }])
  expect(db.prepare('SELECT count(*) AS n FROM readings').get()).toEqual({ n: 2 })
  db.close()
})

it('a migration that fails leaves the data dir at the version before it, and says which one failed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-migrate-'))
  dirs.push(dir)
  const db = new Database(join(dir, 'gateway.db'))
  // A damaged v2 data dir: quarantine is a view, so migration 3 cannot index it.
  db.exec(OLD_DDL.replace(/CREATE TABLE IF NOT EXISTS quarantine \([^;]*\);/, 'CREATE VIEW quarantine AS SELECT 1 AS received_at, 2 AS device_id, 3 AS id;'))
  db.pragma('user_version = 2')
  db.close()
  expect(() => openDatabase(dir, 'normal')).toThrow(/schema migration 3 \(.+\) failed, the data dir stays at version 2/)
  const after = new Database(join(dir, 'gateway.db'), { readonly: true })
  expect(after.pragma('user_version', { simple: true })).toBe(2)
  expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'influx_rollup'").get()).toBeUndefined()
  after.close()
})
