/**
 * What a team is sent about an alert change (docs/alerts.md "Deliveries"): the webhook body
 * {type, timestamp, data} (Standard Webhooks' recommended payload shape), the same body on the
 * team's MQTT events topic, and the alert's retained state topic. Pure: built once when the
 * delivery is queued, so every retry sends the same bytes.
 */
import type { Alert, AuditAction, AuditEntry } from '../alert-lifecycle.js'
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

/** Topics of a team (api.md "MQTT deliveries"); team ids are topic-safe (teams-config.ts ID). */
export const teamEventsTopic = (teamId: string): string => `v1/teams/${teamId}/events`
export const teamAlertTopic = (teamId: string, alertId: string): string => `v1/teams/${teamId}/alerts/${alertId}`

/**
 * The body of one delivery. A single carries the whole alert as it is after the change (the
 * receiver needs no second call); a group carries counts and the bounded list the grouping kept.
 */
export function deliveryBody(d: TeamDelivery, single?: { alert: Alert; entry: AuditEntry }): DeliveryBody {
  if (d.kind === 'group') {
    return {
      type: 'alerts.grouped',
      timestamp: new Date(d.at).toISOString(),
      data: { team: d.teamId, windowStart: new Date(d.windowStart).toISOString(), count: d.count, omitted: d.omitted, byFault: d.byFault, bySeverity: d.bySeverity, worstSeverity: d.worstSeverity, listed: d.listed },
    }
  }
  const data: Record<string, unknown> = { team: d.teamId, event: d.event }
  if (single !== undefined) {
    data['alert'] = single.alert
    data['entry'] = single.entry
    if (single.entry.action === 'escalate') data['escalation'] = single.alert.escalations[single.alert.escalations.length - 1] ?? null
  }
  return { type: `alert.${d.event.kind}`, timestamp: new Date(d.event.at).toISOString(), data }
}

/**
 * The retained state of an alert on a team's topic: the alert as it is now, or '' (MQTT's
 * "delete the retained message", [MQTT-3.3.1-10]) once it is cleared, or once it left the team.
 */
export const retainedPayload = (alert: Alert | null): string => (alert === null || alert.state === 'cleared' ? '' : JSON.stringify(alert))
