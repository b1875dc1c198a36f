/**
 * 7: where each reader of the alert audit trail has got to (gateway/alerts/audit-feed.ts).
 * The audit trail is the durable log of alert changes; a consumer (team deliveries, the
 * InfluxDB alert points) advances its cursor in the same transaction as what it queued, so a
 * crash between an alert's commit and its deliveries is caught up on the next start.
 */
import type { Migration } from './migration.js'

export const auditCursors: Migration = {
  version: 7,
  name: 'audit cursors',
  up(db) {
    db.exec('CREATE TABLE audit_cursors (consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID')
  },
}
