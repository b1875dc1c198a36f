/**
 * One gateway per data directory. Two on one directory would each keep their own job
 * caches and sequence state over one database, and disagree about verdicts.
 *
 * The lock is an OS file lock, taken through SQLite on a file of its own (`gateway.lock`):
 * an EXCLUSIVE-mode connection holds an fcntl write lock until it is closed or the process
 * ends, however it ends (SIGKILL, power loss), so a lock is never stale. gateway.db itself
 * cannot be opened in EXCLUSIVE mode: the forwarder thread has a second connection to it.
 * Who holds the lock is written beside it (`gateway.pid`) for the refusal message only.
 */
import Database from 'better-sqlite3'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../clock.js'
import { ConfigError } from '../config.js'

export class DataDirInUseError extends ConfigError {
  override name = 'DataDirInUseError'
}

interface Holder {
  pid: number
  startedAt: string
}

export class DataDirLock {
  private constructor(private db: Database.Database | undefined) {}

  /** Takes the lock or throws DataDirInUseError naming the holder. */
  static acquire(dataDir: string, clock: Clock): DataDirLock {
    let db: Database.Database | undefined
    try {
      mkdirSync(dataDir, { recursive: true })
      db = new Database(join(dataDir, 'gateway.lock'), { timeout: 0 })
      db.pragma('locking_mode = EXCLUSIVE')
      // BEGIN EXCLUSIVE takes the exclusive lock; in EXCLUSIVE locking mode it is kept after COMMIT.
      db.exec(`CREATE TABLE IF NOT EXISTS holder (pid INTEGER); BEGIN EXCLUSIVE; DELETE FROM holder; INSERT INTO holder VALUES (${process.pid}); COMMIT`)
      const holder: Holder = { pid: process.pid, startedAt: new Date(clock.now()).toISOString() }
      writeFileSync(join(dataDir, 'gateway.pid'), JSON.stringify(holder) + '\n')
      return new DataDirLock(db)
    } catch (err) {
      db?.close()
      const code = (err as { code?: unknown }).code
      if (code === 'SQLITE_BUSY') throw new DataDirInUseError(inUseMessage(dataDir))
      // Not a directory, no permission, disk full: the operator's to fix, said in one line.
      const reason = err instanceof Error ? err.message : String(err)
      throw new ConfigError(`GW_DATA_DIR=${JSON.stringify(dataDir)}: cannot use it as the data dir: ${typeof code === 'string' && !reason.includes(code) ? `${code}: ` : ''}${reason}`)
    }
  }

  release(): void {
    this.db?.close()
    this.db = undefined
  }
}

function inUseMessage(dataDir: string): string {
  let who = 'another process'
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, 'gateway.pid'), 'utf8')) as Partial<Holder>
    if (typeof holder.pid === 'number') who = `pid ${holder.pid}${holder.startedAt ? ` (started ${holder.startedAt})` : ''}`
  } catch {
    // The holder is between taking the lock and writing the file; the generic wording does.
  }
  return `data dir ${dataDir} is in use by ${who}; stop it or set GW_DATA_DIR`
}
