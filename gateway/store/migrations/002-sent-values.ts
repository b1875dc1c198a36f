/**
 * 2: the value and unit as sent are kept: readings_sent and, for a conflicting re-send,
 * readings_conflicts.sent_value / sent_unit. Version 1 stored only the canonical value: the
 * rows already there get NULL (what those devices sent is not known any more, and NULL says
 * so rather than inventing it); a table made by BASE_TABLES has the columns already.
 */
import type { Migration } from './migration.js'

export const sentValues: Migration = {
  version: 2,
  name: 'values as sent',
  up(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS readings_sent (
      device_id TEXT NOT NULL, channel TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL,
      PRIMARY KEY (device_id, channel, ts)
    ) WITHOUT ROWID`)
    const columns = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all('readings_conflicts') as { name: string }[]).map((c) => c.name))
    if (!columns.has('sent_value')) db.exec('ALTER TABLE readings_conflicts ADD COLUMN sent_value REAL')
    if (!columns.has('sent_unit')) db.exec('ALTER TABLE readings_conflicts ADD COLUMN sent_unit TEXT')
  },
}
