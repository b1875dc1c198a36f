/**
 * The database's schema version (`PRAGMA user_version`) and the steps that bring an older
 * data dir up to it. The tables themselves are created by database.ts (CREATE IF NOT EXISTS);
 * a step here only moves data between shapes. Runs in one IMMEDIATE transaction, so the
 * forwarder thread's connection opening the same file at the same time sees it done or not.
 */
import type { Db } from './database.js'

/**
 * 1: seen_seq(device_id, seq) became per-device seq epochs in device_ingest_state.
 * 2: the value and unit as sent are kept: readings_sent (created by database.ts) and, for a
 *    conflicting re-send, readings_conflicts.sent_value / sent_unit.
 */
export const SCHEMA_VERSION = 2

export class SchemaTooNewError extends Error {}

export function upgradeSchema(db: Db): void {
  // Up to date (every open but the first after an upgrade): no write lock taken.
  if (db.pragma('user_version', { simple: true }) === SCHEMA_VERSION) return
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version === SCHEMA_VERSION) return
    if (version > SCHEMA_VERSION) {
      throw new SchemaTooNewError(`the database in the data dir has schema version ${version}; this gateway knows up to ${SCHEMA_VERSION}: run the newer gateway that wrote it`)
    }
    if (version < 1) seqEpochs(db)
    if (version < 2) sentColumns(db)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}

/**
 * Version 0 kept every seq ever seen, so a device whose counter restarted had all later
 * samples dropped. Each device now starts in epoch 0 with its highest seq as the last one:
 * a lower seq (the counter restarted) begins a new epoch and is stored.
 */
function seqEpochs(db: Db): void {
  const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen_seq'").get()
  if (!old) return
  db.exec(`
    INSERT INTO device_ingest_state (device_id, seq_epoch, last_seq)
      SELECT device_id, 0, MAX(seq) FROM seen_seq WHERE true GROUP BY device_id -- WHERE: SQLite's upsert-after-SELECT parsing rule
      ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq;
    DROP TABLE seen_seq;
  `)
}

/**
 * Version 1 stored only the canonical value. readings_conflicts gains the as-sent columns (NULL
 * for the rows already there: what those devices sent is not known any more, and NULL says so
 * rather than inventing it); a table created by this gateway's schema has them already.
 */
function sentColumns(db: Db): void {
  const columns = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all('readings_conflicts') as { name: string }[]).map((c) => c.name))
  if (!columns.has('sent_value')) db.exec('ALTER TABLE readings_conflicts ADD COLUMN sent_value REAL')
  if (!columns.has('sent_unit')) db.exec('ALTER TABLE readings_conflicts ADD COLUMN sent_unit TEXT')
}
