/**
 * What a team is sent about an alert change (docs/alerts.md "Deliveries"): the webhook body
 * {type, timestamp, data} (Standard Webhooks' recommended payload shape), the same body on the
 * team's MQTT events topic, and the alert's retained state topic. Pure: built once when the
 * delivery is queued, so every retry sends the same bytes.
 */
import { DEFAULT_LOCALE, type Locale, type Localized } from '../../../contract/catalogue/index.js'
import type { Alert, AuditAction, AuditEntry, EscalationEvent } from '../alert-lifecycle.js'
import type { AlertColumns } from '../alert-store.js'
import { alertTitles, groupSummaries } from '../alert-text.js'
import type { AlertEvent, AlertEventKind, TeamDelivery } from '../delivery-grouping.js'

export type WebhookType =
  | 'alert.raised'
  | 'alert.retriggered'
  | 'alert.acknowledged'
  | 'alert.assigned'
  | 'alert.cleared'
  | 'alert.escalated'
  | 'alert.on_site'
  | 'alert.updated'
  | 'alerts.grouped'

export interface DeliveryBody {
  type: WebhookType
  /** ISO 8601 time of the change (or of the group's flush). */
  timestamp: string
  data: Record<string, unknown>
}

const KIND_OF: Record<AuditAction, AlertEventKind> = {
  raise: 'raised',
  retrigger: 'retriggered',
  acknowledge: 'acknowledged',
  assign: 'assigned',
  clear: 'cleared',
  auto_clear: 'cleared',
  escalate: 'escalated',
  on_site: 'on_site',
  update: 'updated',
}

export const eventKindOf = (action: AuditAction): AlertEventKind => KIND_OF[action]

/** The grouping's view of one change. */
export function alertEventOf(alert: Alert, entry: AuditEntry): AlertEvent {
  return { kind: KIND_OF[entry.action], alertId: alert.id, deviceId: alert.deviceId, fault: alert.fault, severity: alert.worstSeverity, at: entry.at, message: entry.note || alert.message }
}

/** The grouping's view of a change as the audit feed read it (audit-feed.ts). */
export const changeEventOf = (c: ChangeFacts & { columns?: AlertColumns | undefined }): AlertEvent => (c.alert ? alertEventOf(c.alert, c.entry) : problemEventOf(c.entry, c.columns))

/**
 * The grouping's view of a change whose alert cannot be read (AuditFeed problem: the record
 * does not parse, or its unit left service): what the entry says, and what the alerts row's
 * columns still say (`row`, when there is one). An unknown severity counts as critical: a
 * group that holds such a change must not look harmless.
 */
export function problemEventOf(entry: AuditEntry, row: AlertColumns | undefined): AlertEvent {
  const severity = row?.severity
  return {
    kind: KIND_OF[entry.action],
    alertId: entry.alertId,
    deviceId: row?.deviceId ?? '',
    fault: row?.fault ?? '(unknown)',
    severity: severity === 'warning' || severity === 'minor' || severity === 'major' || severity === 'critical' ? severity : 'critical',
    at: entry.at,
    message: entry.note,
  }
}

/** The escalation an 'escalate' entry records (one escalation per entry, at its time), if the alert has it. */
export function escalationOf(alert: Alert, entry: AuditEntry): EscalationEvent | undefined {
  if (entry.action !== 'escalate') return undefined
  for (let i = alert.escalations.length - 1; i >= 0; i--) if (alert.escalations[i]!.at === entry.at) return alert.escalations[i]
  return undefined
}

/** What a delivery of one change carries: the alert as read when it was queued (null: unreadable, with the problem). */
export interface ChangeFacts {
  alert: Alert | null
  entry: AuditEntry
  problem?: string | null
}

/** Topics of a team (api.md "MQTT deliveries"); team ids are topic-safe (teams-config.ts ID). */
export const teamEventsTopic = (teamId: string): string => `v1/teams/${teamId}/events`
export const teamAlertTopic = (teamId: string, alertId: string): string => `v1/teams/${teamId}/alerts/${alertId}`

/**
 * The body of one delivery. A single carries the change (`entry`, with its audit seq) and the
 * whole alert as it was read when the delivery was queued, i.e. its latest state (the receiver
 * needs no second call); an alert that could not be read is null, with `problem` saying why. A
 * group carries counts and the bounded list the grouping kept.
 *
 * Both carry what a person reads (the product rule: one catalogue, zh-CN and en): `text`, the
 * title (a group: its summary) in every locale so a receiver picks, and `title` in the team's
 * `locale` (teams-config.ts; default zh-CN).
 */
export function deliveryBody(d: TeamDelivery, single?: ChangeFacts, locale: Locale = DEFAULT_LOCALE): DeliveryBody {
  if (d.kind === 'group') {
    const text = groupSummaries(d)
    return {
      type: 'alerts.grouped',
      timestamp: new Date(d.at).toISOString(),
      data: { team: d.teamId, windowStart: new Date(d.windowStart).toISOString(), count: d.count, omitted: d.omitted, byFault: d.byFault, bySeverity: d.bySeverity, worstSeverity: d.worstSeverity, listed: d.listed, title: text[locale], text },
    }
  }
  const data: Record<string, unknown> = { team: d.teamId, event: d.event }
  if (single !== undefined) {
    data['alert'] = single.alert
    data['entry'] = single.entry
    if (single.problem) data['problem'] = single.problem
    if (single.entry.action === 'escalate') data['escalation'] = (single.alert && escalationOf(single.alert, single.entry)) ?? null
  }
  const text = singleTitles(d.event, single)
  data['title'] = text[locale]
  data['text'] = text
  return { type: `alert.${d.event.kind}`, timestamp: new Date(d.event.at).toISOString(), data }
}

/** A single change's title: from the alert's fields when it was read, else from the event (no value known). */
function singleTitles(event: AlertEvent, single: ChangeFacts | undefined): Localized {
  const alert = single?.alert ?? null
  const missed = alert && single ? escalationOf(alert, single.entry)?.missed : undefined
  const ev = { kind: event.kind, missed }
  if (alert) return alertTitles({ ...alert, severity: alert.worstSeverity }, ev)
  return alertTitles({ fault: event.fault, severity: event.severity }, ev)
}

/** What a person reads about an alert as it stands (its state): the retained state and GET /alerts. */
export const stateTitles = (alert: Alert): Localized => alertTitles({ ...alert, severity: alert.worstSeverity }, null)

/**
 * The retained state of an alert on a team's topic: the alert as it is now, with `text` (its
 * title by state, in every locale), or '' (MQTT's "delete the retained message",
 * [MQTT-3.3.1-10]) once it is cleared, or once it left the team.
 */
export const retainedPayload = (alert: Alert | null): string => (alert === null || alert.state === 'cleared' ? '' : JSON.stringify({ ...alert, text: stateTitles(alert) }))

/**
 * The retained-state publications one change makes, per team (the caller keeps those of
 * teams with an MQTT delivery): the alert as it is now on the topic of the team the change was
 * for ('' once it left that team or is cleared), and '' on the team an escalation moved it from.
 * An alert that cannot be read: only a clear is known to empty its topic.
 */
export function retainedRows(entry: AuditEntry & { team: string }, alert: Alert | null): { team: string; row: { topic: string; payload: string; retain: true } }[] {
  const out: { team: string; row: { topic: string; payload: string; retain: true } }[] = []
  const put = (team: string, payload: string) => out.push({ team, row: { topic: teamAlertTopic(team, entry.alertId), payload, retain: true } })
  if (alert) put(entry.team, alert.chain[alert.teamIndex] === entry.team ? retainedPayload(alert) : '')
  else if (entry.to === 'cleared') put(entry.team, '')
  const esc = alert ? escalationOf(alert, entry) : undefined
  if (esc && esc.fromTeam !== esc.toTeam && esc.fromTeam !== '') put(esc.fromTeam, '')
  return out
}
