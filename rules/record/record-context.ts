/** What every installation-record check reads, and how an undeclared item is judged. */
import type { InstalledUnit } from '../../contract/job.js'
import type { CheckResult, Severity } from '../result.js'
import type { InstallationRecord, InstallationRecordParams } from './record-schema.js'

export interface Context {
  r: InstallationRecord
  unit: InstalledUnit
  p: InstallationRecordParams
  confirmed: boolean
}

export interface Base {
  id: string
  clause: string
  unit?: string
}

/** Pending while the installer can still declare it; a failure once the work order is confirmed (S15). */
export function undeclared(c: Context, base: Base, what: string, severity: Severity): CheckResult {
  if (!c.confirmed) return { ...base, status: 'pending', message: `${what} not declared yet` }
  return { ...base, status: 'fail', severity, message: `${what} not declared, but the work order was confirmed` }
}

/** "2025-01-15" (UTC): a date for messages, not a time zone claim. */
export const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits
