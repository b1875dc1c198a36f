/**
 * 3: what repositories used to create when they were constructed (so only some data dirs
 * have it: the InfluxDB outbox tables only where InfluxDB was configured), and any table of
 * BASE_TABLES added to the code after a data dir's last version bump. All CREATE IF NOT
 * EXISTS: a data dir that has them keeps them and their rows.
 */
import { BASE_TABLES } from './001-seq-epochs.js'
import type { Migration } from './migration.js'

/** gateway/store/influx-outbox.ts and quarantine-retention.ts at c85883b. */
const RUNTIME_TABLES = `
CREATE TABLE IF NOT EXISTS influx_outbox (
  id        INTEGER PRIMARY KEY,
  device_id TEXT    NOT NULL,
  ts        INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  n         INTEGER NOT NULL,
  upto      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS influx_requeue (
  id          INTEGER PRIMARY KEY,
  device_id   TEXT    NOT NULL,
  from_ts     INTEGER NOT NULL,
  to_ts       INTEGER NOT NULL,
  purged      INTEGER NOT NULL DEFAULT 0,  -- 1 once the window's old points are deleted from InfluxDB
  channel_idx INTEGER NOT NULL DEFAULT 0,  -- copy progress: next channel (index in CHANNEL_NAMES) ...
  next_ts     INTEGER                      -- ... and next device time within it
);
CREATE TABLE IF NOT EXISTS influx_verdicts (
  id      INTEGER PRIMARY KEY,
  verdict TEXT NOT NULL
);
-- Hours of in-service telemetry written too late for the continuous query: rolled up again by the forwarder.
CREATE TABLE IF NOT EXISTS influx_rollup (
  device_id TEXT    NOT NULL,
  hour      INTEGER NOT NULL,              -- start of the hour, ms
  PRIMARY KEY (device_id, hour)
) WITHOUT ROWID;
-- The forwarder routes each device's readings by its attachments.
CREATE INDEX IF NOT EXISTS job_devices_device ON job_devices (device_id);
-- Quarantine retention: the age limit, and one device's listing.
CREATE INDEX IF NOT EXISTS quarantine_received_at ON quarantine (received_at);
CREATE INDEX IF NOT EXISTS quarantine_device ON quarantine (device_id, id);
`

export const runtimeTables: Migration = {
  version: 3,
  name: 'tables repositories created',
  up(db) {
    db.exec(BASE_TABLES)
    db.exec(RUNTIME_TABLES)
  },
}
