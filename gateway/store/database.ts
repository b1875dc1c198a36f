/**
 * The embedded SQLite database: the durable local log every acknowledged reading lands in,
 * plus quarantine, devices, jobs and the outbox. Opened once per process; its tables are made
 * and upgraded by the numbered migrations (gateway/store/migrations/, schema-upgrade.ts):
 * nothing else creates a table.
 */
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from './db.js'
import { upgradeSchema } from './schema-upgrade.js'

export type { Db }

export function openDatabase(dataDir: string, sync: 'full' | 'normal'): Db {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'gateway.db'))
  // WAL: readers never block the ingest writer; commits append to the log.
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`)
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  upgradeSchema(db)
  return db
}
