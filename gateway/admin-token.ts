/**
 * The admin token: from configuration, else kept in the data dir, else generated on first
 * start. A generated token is only written (keep()) once the gateway is up, so a start that
 * fails on its configuration leaves no token behind that nobody was ever told about.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface AdminToken {
  token: string
  /** Where a token that is not configured is kept (the data dir's admin-token file). */
  file: string
  /** True when this start made the token up: keep() writes it. */
  generated: boolean
  keep(): void
}

export function resolveAdminToken(configured: string | undefined, dataDir: string): AdminToken {
  const file = join(dataDir, 'admin-token')
  if (configured) return { token: configured, file, generated: false, keep: () => {} }
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file, generated: false, keep: () => {} }
  const token = randomBytes(24).toString('base64url')
  // wx: never overwrite a token someone else wrote meanwhile (the data dir lock makes that unlikely).
  return { token, file, generated: true, keep: () => writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' }) }
}
