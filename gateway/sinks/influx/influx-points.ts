/**
 * Readings, verdicts and alert changes as InfluxDB points: pure functions, no I/O. A point is identified by
 * measurement + tag set + time, so writing it again overwrites it: rewrites are idempotent as
 * long as a point's fields never change, which is why a point carries all readings of its
 * device and device time and lag_s comes from the earliest receive time among them
 * (gateway/sinks/influx/routing.ts reads them so).
 */
import type { IPoint } from 'influx'
import type { ChannelName } from '../../../contract/channels.js'
import type { CheckStatus, OverrideStatus, Severity, VerdictStatus } from '../../../contract/verdict.js'
import type { AlertChangeRecord } from '../../alerts/alert-points-relay.js'
import { LAG_FIELD } from './influx-schema.js'

/** The readings of one device at one device time: one point (per job). */
export interface MergedPoint {
  deviceId: string
  ts: number
  fields: Partial<Record<ChannelName, number>>
  /** Earliest receive time of its readings. */
  receivedAt: number
}

export interface ReadingPoints {
  commissioning: IPoint[]
  telemetry: IPoint[]
}

/**
 * Routes merged points: a device attached to jobs at the point's device time gives one
 * `commissioning` point per job; otherwise the unit is in service and it is `telemetry`.
 */
export function routePoints(points: Iterable<MergedPoint>, jobsAt: (deviceId: string, ts: number) => readonly string[]): ReadingPoints {
  const out: ReadingPoints = { commissioning: [], telemetry: [] }
  for (const p of points) {
    const fields: Record<string, number> = { ...p.fields, [LAG_FIELD]: (p.receivedAt - p.ts) / 1000 }
    const jobs = jobsAt(p.deviceId, p.ts)
    if (jobs.length === 0) {
      out.telemetry.push({ measurement: 'telemetry', tags: { device_id: p.deviceId }, fields, timestamp: p.ts })
    } else {
      for (const jobId of jobs) {
        out.commissioning.push({ measurement: 'commissioning', tags: { job_id: jobId, device_id: p.deviceId }, fields, timestamp: p.ts })
      }
    }
  }
  return out
}

/** A job's verdict as the lead's verdict service has it, reduced to what the dashboards chart. */
export interface VerdictRecord {
  jobId: string
  installerId: string | null
  rulePack: { id: string; version: string }
  status: VerdictStatus
  steps: {
    id: string
    checks: {
      id: string
      status: CheckStatus
      clause?: string | undefined
      severity?: Severity | undefined
      measured?: number | undefined
      /** A reviewer's override decides the effective status written. */
      override?: { status: OverrideStatus } | undefined
    }[]
  }[]
  /** When the verdict changed (ms): the points' time. */
  at: number
}

/** A verdict as the outbox keeps it (JSON): only what its points need, not messages or evidence. */
export function queuedVerdict(v: VerdictRecord): string {
  const record: VerdictRecord = {
    jobId: v.jobId,
    installerId: v.installerId,
    rulePack: { id: v.rulePack.id, version: v.rulePack.version },
    status: v.status,
    steps: v.steps.map((s) => ({
      id: s.id,
      checks: s.checks.map((c) => ({
        id: c.id,
        status: c.status,
        clause: c.clause,
        severity: c.severity,
        measured: c.measured,
        ...(c.override ? { override: { status: c.override.status } } : {}),
      })),
    })),
    at: v.at,
  }
  return JSON.stringify(record)
}

export interface VerdictPoints {
  verdict: IPoint[]
  check_result: IPoint[]
}

/** `rule_pack` tag value: id@version. */
export const rulePackTag = (p: { id: string; version: string }): string => `${p.id}@${p.version}`

/** Tags with no value are left out (InfluxDB has no empty tag values). */
function tags(t: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(t)) if (v !== null && v !== undefined && v !== '') out[k] = v
  return out
}

export function verdictPoints(v: VerdictRecord): VerdictPoints {
  let failed = 0
  const checks: IPoint[] = []
  for (const step of v.steps) {
    for (const c of step.checks) {
      const status = c.override?.status ?? c.status
      if (status === 'fail') failed++
      const fields: Record<string, number> = { value: 1 }
      if (c.measured !== undefined && Number.isFinite(c.measured)) fields.measured = c.measured
      checks.push({
        measurement: 'check_result',
        tags: tags({ job_id: v.jobId, installer_id: v.installerId, step: step.id, check: c.id, clause: c.clause, status, severity: c.severity }),
        fields,
        timestamp: v.at,
      })
    }
  }
  const verdict: IPoint = {
    measurement: 'verdict',
    tags: tags({ job_id: v.jobId, installer_id: v.installerId, rule_pack: rulePackTag(v.rulePack), status: v.status }),
    fields: { value: 1, failed_checks: failed },
    timestamp: v.at,
  }
  return { verdict: [verdict], check_result: checks }
}

/**
 * An alert change's point (measurement `alert`): tags from the change (state it led to, team
 * it was with) and the alert (unit, fault, worst severity); fields from the alert's record.
 * Time in µs (writePrecision): the change's ms plus its audit seq mod 1000, so changes of one
 * alert in the same ms are separate points in trail order, and a rewrite hits the same point.
 */
export function alertPoint(c: AlertChangeRecord): IPoint {
  const fields: Record<string, number | string> = {
    alert_id: c.alertId,
    active: c.state === 'cleared' ? 0 : 1,
    count: c.triggers,
    fault_count: c.faultCount,
    raised_at: c.raisedAt,
  }
  if (c.value !== null && Number.isFinite(c.value)) fields.value = c.value
  return {
    measurement: 'alert',
    tags: tags({ device_id: c.deviceId, fault: c.fault, severity: c.severity, state: c.state, team: c.team }),
    fields,
    timestamp: Math.trunc(c.at) * 1000 + (c.seq % 1000),
  }
}
