/**
 * The alert and its commands, results and audit entries as types: what the lifecycle reducer
 * (alert-lifecycle.ts), its plan helpers (alert-plan.ts) and its visits (alert-visit.ts) share.
 */
import type { AlertErrorCode } from '../../contract/errors.js'
import type { AlertDeadlines, DeadlineKind } from '../../rules/faults/deadlines.js'
import type { Deadlines, FaultSeverity } from '../../rules/faults/fault-pack-schema.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'

export type AlertState = 'active' | 'acknowledged' | 'cleared'

export interface Alert {
  id: string
  deviceId: string
  fault: string
  state: AlertState
  /** The severity raised with, and the worst seen since (deadlines follow the worst). */
  severity: FaultSeverity
  worstSeverity: FaultSeverity
  raisedAt: number
  lastSeenAt: number
  /** Raise and re-triggers of this alert (the evaluator's count of bad readings is `faultCount`). */
  triggers: number
  faultCount: number
  value: number | null
  /** Worst value of the alert's life (the evaluators' peak, or the value when they give none). */
  worst: number | null
  unit: string | null
  limit: number | null
  clause: string
  source: string
  message: string
  code?: string
  textKey?: string
  acknowledged: { by: string; at: number; note: string } | null
  assignee: { member: string; by: string; at: number } | null
  cleared: { by: string; at: number; note: string; auto: boolean } | null
  /** The team chain: [own team, the team it escalates to, ...] (teams-config.ts chainOf). */
  chain: string[]
  /** chain[teamIndex] is the team the alert is with now. */
  teamIndex: number
  escalations: EscalationEvent[]
  /** T3 / T6 inputs fixed at raise (the distance may be set or corrected later: `facts`). */
  installationLeak: boolean
  distanceKm?: number
  /** Where the distance came from (who measured it, how). */
  distanceSource?: string
  /** Deadlines the gateway could not judge, with why (T6 without a distance). */
  notJudged?: { kind: DeadlineKind; reason: string }[]
  /** T6: maintenance on site; T3: the installer on site. */
  onSite?: Visit | null
  installerOnSite?: Visit | null
  plan: AlertDeadlines
}

export interface Visit {
  by: string
  at: number
  note: string
}

/** What the alerts module knows about the unit for its alerts' deadlines (T3, T6). */
export interface UnitFacts {
  installationLeak?: boolean
  distanceKm?: number
  distanceSource?: string
  /** Set when the distance is not known: the sentence the alert carries in notJudged. */
  distanceUnknown?: string
}

export type OnSiteWho = 'maintenance' | 'installer'

export type AuditAction = 'raise' | 'retrigger' | 'acknowledge' | 'assign' | 'clear' | 'auto_clear' | 'escalate' | 'on_site' | 'update'

export interface AuditEntry {
  alertId: string
  at: number
  actor: string
  action: AuditAction
  from: AlertState | null
  to: AlertState
  note: string
}

export interface EscalationEvent {
  alertId: string
  at: number
  /** 1 = the first escalation of this alert. */
  level: number
  missed: DeadlineKind
  fromTeam: string
  /** The team told now; the same as fromTeam when the chain has no team left (told again). */
  toTeam: string
}

export type AlertCommand =
  | { kind: 'fault'; transition: FaultTransition }
  | { kind: 'acknowledge'; by: string; at: number; note?: string }
  | { kind: 'assign'; by: string; at: number; member: string; note?: string }
  | { kind: 'clear'; by: string; at: number; note: string }
  | { kind: 'on_site'; by: string; at: number; who: OnSiteWho; note?: string }
  /** The unit's facts changed (a distance set or corrected): applied by the system. */
  | { kind: 'facts'; at: number; facts: UnitFacts }

export interface AlertContext {
  deadlines: Deadlines
  newId: () => string
  /** The team chain for a new alert of this unit, own team first (may be empty: no team covers it). */
  chainFor: (deviceId: string) => readonly string[]
  /** T3 / T6 facts about the unit for a new alert. */
  unitFacts?: (deviceId: string, fault: string) => UnitFacts
}

export type AlertResult =
  | { ok: true; alert: Alert; audit: AuditEntry[] }
  | { ok: false; error: { code: AlertErrorCode; message: string } }
