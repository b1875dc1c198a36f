/**
 * Alert changes as the alerts module emits them (api.md: 'alert.changed' {alert, entry}), built
 * with the real reducer (gateway/alerts/alert-lifecycle.ts), and a teams file for the gateway.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { escalate, reduceAlert, type Alert, type AlertCommand, type AlertContext, type AuditEntry } from '../../../gateway/alerts/alert-lifecycle.js'
import type { EventBus } from '../../../gateway/bus/event-bus.js'
import type { FaultTransition } from '../../../rules/faults/fault-transition.js'
import { faults } from '../../rules/faults/faults-fixture.js'

export const DEADLINES = faults().deadlines
/** A Standard Webhooks secret: "whsec_" + base64 of 32 bytes. */
export const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64')

export function transition(kind: FaultTransition['kind'], deviceId: string, at: number, over: Partial<FaultTransition> = {}): FaultTransition {
  return {
    kind, deviceId, fault: 'leakage', severity: 'critical', at, value: 4, peak: 4, unit: 'mA', limit: 3.5,
    count: 1, since: at, clause: 'S14', source: 'IEC 60335-1', message: `leakage ${kind} on ${deviceId}`, ...over,
  }
}

/** Keeps the alerts the way the alerts module would, and emits each change on the bus. */
export class AlertDriver {
  private n = 0
  readonly alerts = new Map<string, Alert>()

  constructor(
    private readonly bus: EventBus,
    private readonly chain: readonly string[],
  ) {}

  private ctx(): AlertContext {
    return { deadlines: DEADLINES, newId: () => `al-${++this.n}`, chainFor: () => this.chain }
  }

  /** Applies the command to the alert `id` (none: a new one) and emits the change; the alert after it. */
  apply(id: string | null, cmd: AlertCommand): Alert {
    const r = reduceAlert(id === null ? null : this.alerts.get(id)!, cmd, this.ctx())
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
    this.alerts.set(r.alert.id, r.alert)
    for (const entry of r.audit) this.emit(r.alert, entry)
    return r.alert
  }

  raise(deviceId: string, at: number): Alert {
    return this.apply(null, { kind: 'fault', transition: transition('raise', deviceId, at) })
  }

  escalate(id: string, now: number): Alert {
    const r = escalate(this.alerts.get(id)!, now, DEADLINES)
    this.alerts.set(id, r.alert)
    for (const entry of r.audit) this.emit(r.alert, entry)
    return r.alert
  }

  private seq = 0

  private emit(alert: Alert, entry: AuditEntry): void {
    this.bus.emit('alert.changed', { alert, entry: { ...entry, seq: ++this.seq } })
  }
}

export function writeTeamsFile(dir: string, cfg: unknown): string {
  const file = join(dir, 'teams.json')
  writeFileSync(file, JSON.stringify(cfg, null, 2))
  return file
}
