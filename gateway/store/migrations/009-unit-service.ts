/**
 * 9: what a maintenance team needs to know of a unit in service for its deadlines (issue 11,
 * DOMAIN.md T6, T7): its distance from the service centre that covers it (km, and where that
 * number came from), whether it is under a maintenance contract (since when), and the log of
 * its monthly inspections, each signed: seed §14 四.3 "月检:每月按期...进行一次检测", §14 四.1④
 * "填写《维护登记表》,执行签字盖章手续" (and §7 (3): 每月对所有维护期内的系统巡检一次). NULL
 * distance: not known yet (the T6 deadline is then reported as not judged, never defaulted).
 * NULL maintained_since: not maintained.
 */
import type { Migration } from './migration.js'

export const unitService: Migration = {
  version: 9,
  name: 'unit service facts and inspections',
  up(db) {
    db.exec(`
      ALTER TABLE in_service_units ADD COLUMN distance_km REAL;
      ALTER TABLE in_service_units ADD COLUMN distance_source TEXT;
      ALTER TABLE in_service_units ADD COLUMN maintained_since INTEGER;
      CREATE TABLE unit_inspections (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id   TEXT    NOT NULL,
        at          INTEGER NOT NULL,          -- when the inspection was done (gateway ms)
        by_whom     TEXT    NOT NULL,          -- who inspected
        signed_by   TEXT    NOT NULL,          -- who signed the record (T7: every check signed)
        checks      TEXT    NOT NULL,          -- JSON [{item, ok, note}]
        notes       TEXT    NOT NULL,
        recorded_at INTEGER NOT NULL
      );
      CREATE INDEX unit_inspections_by_device ON unit_inspections (device_id, at);
    `)
  },
}
