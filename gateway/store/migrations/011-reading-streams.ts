/**
 * 11: readings keyed by an integer stream id (one per device and channel) and device time,
 * instead of by the two strings and the time.
 *
 * Why: the ingest's B-tree insert was the largest part of its commit, on the event loop that
 * sends PUBACKs. With the two strings in every key and record, 8-reading messages took about
 * 2.1-2.3 µs of SQLite per reading; keyed by an integer, 1.35-1.5 (2-core machine, 200-message
 * transactions of 8-reading rows, multi-row INSERT OR FAIL as the ingest does). Records are
 * about half as long, so a commit also writes fewer pages to the log.
 *
 * `readings` stays what it was for every reader (the API, the InfluxDB forwarder, an operator
 * with the sqlite3 shell): a view with the same columns, and an INSERT into it still stores a
 * reading (INSTEAD OF trigger). The ingest writes reading_points directly, with the stream ids
 * it keeps (gateway/store/reading-streams.ts). The rows are copied as they are: nothing is
 * recomputed, and the copy is checked by count before the old table goes.
 */
import type { Migration } from './migration.js'

/** The stream table, the points table, the view and its trigger (a new data dir gets them here too). */
const READING_STREAM_DDL = `
CREATE TABLE reading_streams (
  id          INTEGER PRIMARY KEY,
  device_id   TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  UNIQUE (device_id, channel)
);

CREATE TABLE reading_points (
  stream      INTEGER NOT NULL,  -- reading_streams.id: the device and channel
  ts          INTEGER NOT NULL,  -- device time, ms: the evidence
  value       REAL    NOT NULL,  -- canonical unit of the channel
  received_at INTEGER NOT NULL,  -- gateway time, ms: the provenance
  PRIMARY KEY (stream, ts)       -- same device, channel, device time = same point
) WITHOUT ROWID;

CREATE VIEW readings (device_id, channel, ts, value, received_at) AS
  SELECT s.device_id, s.channel, p.ts, p.value, p.received_at
  FROM reading_points p JOIN reading_streams s ON s.id = p.stream;

-- No conflict clause inside: the statement that fires a trigger imposes its own on the trigger's
-- statements, so the stream is added only when missing, and the point's insert meets the
-- primary key exactly as an INSERT into the old table did (OR IGNORE, OR FAIL, or an error).
CREATE TRIGGER readings_insert INSTEAD OF INSERT ON readings BEGIN
  INSERT INTO reading_streams (device_id, channel)
    SELECT NEW.device_id, NEW.channel
    WHERE NOT EXISTS (SELECT 1 FROM reading_streams WHERE device_id = NEW.device_id AND channel = NEW.channel);
  INSERT INTO reading_points (stream, ts, value, received_at)
    SELECT id, NEW.ts, NEW.value, NEW.received_at FROM reading_streams WHERE device_id = NEW.device_id AND channel = NEW.channel;
END;
`

export const readingStreams: Migration = {
  version: 11,
  name: 'readings keyed by stream id',
  up(db) {
    db.exec('ALTER TABLE readings RENAME TO readings_before_streams')
    db.exec(READING_STREAM_DDL)
    db.exec(`
      INSERT INTO reading_streams (device_id, channel)
        SELECT DISTINCT device_id, channel FROM readings_before_streams ORDER BY device_id, channel;
      INSERT INTO reading_points (stream, ts, value, received_at)
        SELECT s.id, r.ts, r.value, r.received_at FROM readings_before_streams r JOIN reading_streams s USING (device_id, channel)
        ORDER BY s.id, r.ts;
    `)
    const count = (sql: string): number => (db.prepare(sql).pluck().get() as number)
    const before = count('SELECT count(*) FROM readings_before_streams')
    const after = count('SELECT count(*) FROM reading_points')
    if (before !== after) throw new Error(`copying the readings kept ${after} of ${before}; the data dir is left as it was`)
    db.exec('DROP TABLE readings_before_streams')
  },
}
