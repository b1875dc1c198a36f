/**
 * 8: alert deliveries that a crash cannot lose (issue 11, "Routing"). The deliveries read the
 * audit trail through their cursor (migration 7); what the per-team grouping holds for its
 * current window is a row per team here, written in the transaction of the deliveries it
 * decided (gateway/alerts/deliveries/grouping-state.ts). The SSE stream reads the audit trail by
 * team (its ids are the audit seq), hence the index; the stand-in table alert_stream that an
 * earlier build created outside the migrations goes.
 */
import type { Migration } from './migration.js'

export const deliveryGroups: Migration = {
  version: 8,
  name: 'delivery groups',
  up(db) {
    db.exec(`
      CREATE TABLE delivery_groups (
        team         TEXT    PRIMARY KEY,
        window_start INTEGER,                   -- the team's current rate-limit window (NULL: none open)
        sent         INTEGER NOT NULL,          -- deliveries sent one by one in that window
        pending      TEXT                       -- the events held for the window's group, JSON (bounded), or NULL
      ) WITHOUT ROWID;
      CREATE INDEX alert_audit_team ON alert_audit (team, seq);
      DROP TABLE IF EXISTS alert_stream;
    `)
  },
}
