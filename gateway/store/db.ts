/** The SQLite connection type, apart from opening it (database.ts), so migrations can name it without a cycle. */
import type Database from 'better-sqlite3'

export type Db = Database.Database
