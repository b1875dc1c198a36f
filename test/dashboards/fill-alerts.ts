/**
 * Alert changes of the in-service units for the fleet dashboard's alert panels, written as the
 * gateway writes them: AlertChangeRecords (what the relay queues) made into points by the
 * forwarder's own alertPoint() and sent by its InfluxDB client (µs, typed fields). Raised,
 * re-triggered, acknowledged, escalated, cleared and raised again, so that the open alerts
 * are a strict subset of the alerts ever seen (alert-panels.test.ts lists them by hand).
 */
import type { AlertChangeRecord } from '../../gateway/alerts/alert-points-relay.js'
import { InfluxConnection } from '../../gateway/sinks/influx/influx-client.js'
import { alertPoint } from '../../gateway/sinks/influx/influx-points.js'
import { DATABASE } from '../../dashboards/influx-schema.js'

const MIN = 60_000


type Change = Pick<AlertChangeRecord, 'action' | 'state' | 'team' | 'triggers' | 'faultCount' | 'value' | 'severity'> & { atMin: number }

interface AlertHistory {
  alertId: string
  deviceId: string
  fault: string
  unit: string | null
  raisedMin: number
  changes: Change[]
}

const c = (atMin: number, action: Change['action'], state: Change['state'], rest: Partial<Change> = {}): Change => ({
  atMin, action, state, team: 'north', triggers: 1, faultCount: 1, value: null, severity: 'major', ...rest,
})

/** Minutes after t0 (see alertHistories). */
export function alertHistories(): AlertHistory[] {
  return [
    // Open, acknowledged: critical leakage re-triggered once.
    { alertId: 'al-leak-1', deviceId: 'dash-good-unit', fault: 'leakage', unit: 'mA', raisedMin: 0, changes: [
      c(0, 'raise', 'active', { severity: 'critical', value: 4.2, faultCount: 3 }),
      c(10, 'retrigger', 'active', { severity: 'critical', value: 4.8, triggers: 2, faultCount: 9 }),
      c(25, 'acknowledge', 'acknowledged', { severity: 'critical', value: 4.8, triggers: 2, faultCount: 9 }),
    ] },
    // Closed: offline, auto-cleared when data came back.
    { alertId: 'al-off-1', deviceId: 'dash-good-unit', fault: 'offline', unit: null, raisedMin: 60, changes: [
      c(60, 'raise', 'active'),
      c(90, 'auto_clear', 'cleared'),
    ] },
    // Open again: a new offline alert of the same unit, raised after the clear.
    { alertId: 'al-off-2', deviceId: 'dash-good-unit', fault: 'offline', unit: null, raisedMin: 300, changes: [
      c(300, 'raise', 'active'),
    ] },
    // Open: over-current raised major, then worse (the severity tag changes with it).
    { alertId: 'al-oc-1', deviceId: 'dash-overcurrent-unit', fault: 'over_current', unit: 'A', raisedMin: 30, changes: [
      c(30, 'raise', 'active', { value: 9.1 }),
      c(45, 'retrigger', 'active', { severity: 'critical', value: 11.6, triggers: 2, faultCount: 2 }),
    ] },
    // Open: short-cycling escalated to the supervisors.
    { alertId: 'al-sc-1', deviceId: 'dash-overcurrent-unit', fault: 'short_cycling', unit: 'starts/h', raisedMin: 120, changes: [
      c(120, 'raise', 'active', { severity: 'minor', value: 9 }),
      c(240, 'escalate', 'active', { severity: 'minor', value: 9, team: 'supervisors' }),
    ] },
    // Open: refrigerant-loss warning, nobody has looked yet.
    { alertId: 'al-rl-1', deviceId: 'dash-tightness-leak-unit', fault: 'refrigerant_loss', unit: 'K', raisedMin: 200, changes: [
      c(200, 'raise', 'active', { severity: 'warning', value: -2.4 }),
    ] },
    // Closed: supply voltage acknowledged, then cleared by hand.
    { alertId: 'al-sv-1', deviceId: 'dash-tightness-leak-unit', fault: 'supply_voltage', unit: 'V', raisedMin: 15, changes: [
      c(15, 'raise', 'active', { severity: 'minor', value: 262 }),
      c(20, 'acknowledge', 'acknowledged', { severity: 'minor', value: 262 }),
      c(50, 'clear', 'cleared', { severity: 'minor', value: 262 }),
    ] },
  ]
}

/** The histories as the relay queues them, in trail order (seq). */
export function alertChanges(t0: number): AlertChangeRecord[] {
  const all: Omit<AlertChangeRecord, 'seq'>[] = []
  for (const h of alertHistories()) {
    for (const ch of h.changes) {
      all.push({
        at: t0 + ch.atMin * MIN, action: ch.action, state: ch.state, team: ch.team, alertId: h.alertId, deviceId: h.deviceId, fault: h.fault,
        severity: ch.severity, raisedAt: t0 + h.raisedMin * MIN, triggers: ch.triggers, faultCount: ch.faultCount, value: ch.value, unit: h.unit,
      })
    }
  }
  all.sort((a, b) => a.at - b.at)
  return all.map((r, i) => ({ ...r, seq: i + 1 }))
}

/** Writes the alert changes into `hvac` (made by the caller) with the gateway's own client. */
export async function fillAlerts(url: string, t0: number): Promise<void> {
  const influx = new InfluxConnection({ url, username: undefined, password: undefined, database: DATABASE, batchPoints: 5000, inServiceRetention: '400d' })
  await influx.write('alert', alertChanges(t0).map(alertPoint))
}

