/**
 * JSON read back from SQLite is parsed with the schema of what was written, not cast: a row
 * changed by hand, by a bug, or by a version that wrote another shape gives an error that
 * names the table, the row and what is wrong, and the caller contains it to that row or job
 * (a job's verdict fails with it; a queued delivery is parked) instead of a TypeError later.
 */
import type { z } from 'zod'

export class StoredRowError extends Error {
  constructor(
    readonly table: string,
    readonly row: string,
    detail: string,
    /** A column that is not JSON at all: named SyntaxError, the kind of fault it is, as JSON.parse's own was before. */
    syntax = false,
  ) {
    super(`stored row ${table} ${row} is not readable: ${detail}`)
    this.name = syntax ? 'SyntaxError' : 'StoredRowError'
  }
}

/** Parses `text` (a column of `table`, `row` naming the row and column) with `schema`. */
export function parseStoredJson<S extends z.ZodType>(text: string, table: string, row: string, schema: S): z.output<S> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new StoredRowError(table, row, `not JSON (${err instanceof Error ? err.message : String(err)})`, true)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(value)'}: ${i.message}`)
    throw new StoredRowError(table, row, issues.join('; ') + (parsed.error.issues.length > 3 ? `; and ${parsed.error.issues.length - 3} more` : ''))
  }
  return parsed.data
}
