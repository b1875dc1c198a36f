/** One step of the schema: applied once, in order, in its own transaction, and recorded in PRAGMA user_version. */
import type { Db } from '../db.js'

export interface Migration {
  /** The user_version once applied: 1, 2, 3... with no gaps (MIGRATIONS checks). */
  readonly version: number
  readonly name: string
  /** Runs inside the migration's IMMEDIATE transaction; throws to roll it back. */
  up(db: Db): void
}
