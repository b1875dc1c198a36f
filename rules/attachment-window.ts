/**
 * Which job a reading counts for (issue 9: one rule for verdicts, caches and sinks). A
 * device's reading at device time `ts` counts for every job the device was attached to at
 * `ts`, both ends inclusive: attachedAt <= ts <= detachedAt (an open attachment never ends).
 * A reading that counts for no job is telemetry, not a job's evidence (InfluxDB's `telemetry`
 * measurement); of a unit in service from its inServiceSince on, it feeds the fault rules (issue 11).
 *
 * The same rule in SQL is ATTACHMENT_COVERS_SQL, for the triggers and queries that must decide
 * inside SQLite; test/rules/attachment-window.test.ts holds the two to the same table of cases.
 */
import type { Attachment } from '../contract/job.js'

/** Larger than any device time: an open attachment's end. */
export const OPEN_END = Number.MAX_SAFE_INTEGER

export type AttachmentWindow = Pick<Attachment, 'attachedAt' | 'detachedAt'>

/** The attachment's last device time (inclusive). */
export const windowEnd = (a: AttachmentWindow): number => a.detachedAt ?? OPEN_END

/** Does a reading at device time ts count for the attachment? */
export function covers(a: AttachmentWindow, ts: number): boolean {
  return a.attachedAt <= ts && ts <= windowEnd(a)
}

/** The part of [from, to] the attachment covers, or undefined if none. */
export function clip(a: AttachmentWindow, from: number, to: number): { from: number; to: number } | undefined {
  const lo = Math.max(from, a.attachedAt)
  const hi = Math.min(to, windowEnd(a))
  return lo > hi ? undefined : { from: lo, to: hi }
}

/** The jobs a reading of a device at ts counts for, each once, in attachment order. */
export function jobsCounting(attachments: readonly (AttachmentWindow & { jobId: string })[], ts: number): string[] {
  const jobs: string[] = []
  for (const a of attachments) if (covers(a, ts) && !jobs.includes(a.jobId)) jobs.push(a.jobId)
  return jobs
}

/**
 * Where a reading goes (issue 11: one rule for alerts, sinks and verdicts): the jobs it counts
 * for; else, for a unit in service from `inServiceSince` on, an in-service reading (it feeds
 * the fault rules); else nobody's (a meter between jobs, a unit not yet in service).
 * Commissioning readings never feed fault rules: a reading that counts for a job is `jobs`
 * even when the unit is also in service (a re-commissioning).
 */
export type ReadingRoute = { kind: 'jobs'; jobIds: string[] } | { kind: 'in_service' } | { kind: 'none' }

/** `inServiceSince`: when the device's unit entered service (ms, device time), null if it is not in service. */
export function routeReading(attachments: readonly (AttachmentWindow & { jobId: string })[], ts: number, inServiceSince: number | null): ReadingRoute {
  const jobIds = jobsCounting(attachments, ts)
  if (jobIds.length > 0) return { kind: 'jobs', jobIds }
  return isInService(inServiceSince, ts) ? { kind: 'in_service' } : { kind: 'none' }
}

/** A reading at ts is the unit's in-service telemetry from inServiceSince on (inclusive). */
export function isInService(inServiceSince: number | null, ts: number): boolean {
  return inServiceSince !== null && ts >= inServiceSince
}

/**
 * The rule as an SQL condition on a job_devices row `alias` (attached_at, detached_at) and a
 * device-time expression: the triggers' windows and any query that must decide in SQLite.
 */
export function attachmentCoversSql(alias: string, ts: string): string {
  return `(${alias}.attached_at <= ${ts} AND ${ts} <= ${attachmentEndSql(alias)})`
}

/** An attachment row's last device time in SQL (OPEN_END while it is open). */
export function attachmentEndSql(alias: string): string {
  return `COALESCE(${alias}.detached_at, ${OPEN_END})`
}
