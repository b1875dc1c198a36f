/**
 * The database's schema version (`PRAGMA user_version`) and the migrations that bring a data
 * dir up to it (gateway/store/migrations/). Each migration runs in its own IMMEDIATE
 * transaction with the version it records, so a failure leaves the data dir at the last one
 * that completed, and the forwarder thread's connection opening the same file at the same
 * time sees each done or not.
 */
import type { Db } from './db.js'
import { MIGRATIONS, type Migration } from './migrations/index.js'

export const SCHEMA_VERSION = MIGRATIONS.length

export class SchemaTooNewError extends Error {}

export function upgradeSchema(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.length
  const version = (): number => db.pragma('user_version', { simple: true }) as number
  // Up to date (every open but the first after an upgrade): no write lock taken.
  if (version() === latest) return
  for (const m of migrations) {
    db.transaction(() => {
      const at = version()
      if (at > latest) {
        throw new SchemaTooNewError(`the database in the data dir has schema version ${at}; this gateway knows up to ${latest}: run the newer gateway that wrote it`)
      }
      if (at >= m.version) return // applied (maybe just now, by the other connection)
      try {
        m.up(db)
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        throw new Error(`schema migration ${m.version} (${m.name}) failed, the data dir stays at version ${at}: ${why}`, { cause: err })
      }
      db.pragma(`user_version = ${m.version}`)
    }).immediate()
  }
}
