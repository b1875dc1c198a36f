/**
 * 4: one outbox for every sink (gateway/outbox/outbox.ts) instead of InfluxDB's own tables.
 * What waited in influx_outbox (points) and influx_verdicts becomes sink 'influx' and
 * 'influx-verdicts' rows with the same ids, counts and order, so nothing pending is lost;
 * the old tables go. A verdict row that is not valid JSON moves too, with an empty key: the
 * forwarder parks it with its reason when it meets it (it is kept, not dropped here).
 */
import type { Migration } from './migration.js'

export const genericOutbox: Migration = {
  version: 4,
  name: 'generic outbox',
  up(db) {
    db.exec(`
      CREATE TABLE outbox (
        sink       TEXT    NOT NULL,            -- who it is for: 'influx', 'influx-verdicts', ...
        id         INTEGER NOT NULL,            -- order within the sink
        key        TEXT    NOT NULL,            -- what it is about: a point's device, a verdict's job
        at         INTEGER NOT NULL,            -- the time it is about: a point's device time
        payload    TEXT,                        -- JSON when key and time do not say it all (NULL for a point)
        n          INTEGER NOT NULL DEFAULT 1,  -- what the row stands for (a point's readings)
        upto       INTEGER NOT NULL,            -- running count, this row included: backlog = tail.upto - head.upto + head.n
        queued_at  INTEGER NOT NULL,            -- gateway time it was queued
        attempts   INTEGER NOT NULL DEFAULT 0,  -- failed deliveries so far
        next_at    INTEGER NOT NULL DEFAULT 0,  -- not claimed before this gateway time (retry backoff; parked: max)
        last_error TEXT,
        PRIMARY KEY (sink, id)
      ) WITHOUT ROWID;
      INSERT INTO outbox (sink, id, key, at, payload, n, upto, queued_at)
        SELECT 'influx', id, device_id, ts, NULL, n, upto, queued_at FROM influx_outbox;
      INSERT INTO outbox (sink, id, key, at, payload, n, upto, queued_at)
        SELECT 'influx-verdicts', id,
          CASE WHEN json_valid(verdict) THEN COALESCE(json_extract(verdict, '$.jobId'), '') ELSE '' END,
          CASE WHEN json_valid(verdict) THEN COALESCE(json_extract(verdict, '$.at'), 0) ELSE 0 END,
          verdict, 1, ROW_NUMBER() OVER (ORDER BY id), 0
        FROM influx_verdicts;
      DROP TABLE influx_outbox;
      DROP TABLE influx_verdicts;
    `)
  },
}
