/**
 * Alert changes as the alerts module makes them, built with the real reducer
 * (gateway/alerts/alert-lifecycle.ts): committed through the gateway's AlertStore (alert and
 * audit entries in one transaction), then told on the bus ('alert.changed' {alert, entry+seq}),
 * as alert-engine.ts does. The deliveries read the audit trail, so the units are put in service
 * first (their pack's deadlines are what the store reads the alert back with). And a teams file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

import { currentTeam, escalate, reduceAlert, type Alert, type AlertCommand, type AlertContext, type AuditEntry } from '../../../gateway/alerts/alert-lifecycle.js'
import type { Gateway } from '../../../gateway/gateway.js'
import { ManualClock } from '../../../gateway/clock.js'
import type { Harness } from '../../helpers/gateway-harness.js'
import type { FaultTransition } from '../../../rules/faults/fault-transition.js'
import { faults } from '../../rules/faults/faults-fixture.js'
import { WebhookReceiver } from './webhook-receiver.js'

export const DEADLINES = faults().deadlines
const UNIT = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

/** Registers the units and puts them in service (split-ac) through the HTTP API. */
export async function inService(h: Harness, ...ids: string[]): Promise<void> {
  for (const id of ids) {
    const r = await h.api('POST', '/api/v1/devices', { id, kind: 'unit' })
    if (r.status !== 201) throw new Error(`register ${id}: ${r.status} ${JSON.stringify(r.body)}`)
    const s = await h.api('POST', `/api/v1/devices/${id}/in-service`, { pack: 'split-ac', unit: UNIT, since: h.gateway.clock.now() })
    if (s.status !== 201) throw new Error(`in service ${id}: ${s.status} ${JSON.stringify(s.body)}`)
  }
}
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
    private readonly gateway: Gateway,
    private readonly chain: readonly string[],
    /** Alert ids start with this (two drivers on one gateway need their own). */
    private readonly prefix = chain.join('-'),
  ) {}

  private ctx(): AlertContext {
    return { deadlines: DEADLINES, newId: () => `al-${this.prefix}-${++this.n}`, chainFor: () => this.chain }
  }

  /** Applies the command to the alert `id` (none: a new one) and emits the change; the alert after it. */
  apply(id: string | null, cmd: AlertCommand): Alert {
    const r = reduceAlert(id === null ? null : this.alerts.get(id)!, cmd, this.ctx())
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
    this.alerts.set(r.alert.id, r.alert)
    this.commit(r.alert, r.audit)
    return r.alert
  }

  raise(deviceId: string, at: number): Alert {
    return this.apply(null, { kind: 'fault', transition: transition('raise', deviceId, at) })
  }

  escalate(id: string, now: number): Alert {
    const r = escalate(this.alerts.get(id)!, now, DEADLINES)
    this.alerts.set(id, r.alert)
    this.commit(r.alert, r.audit)
    return r.alert
  }

  /** One transaction (alert-store.ts commit), then the bus: as the alert engine does. */
  private commit(alert: Alert, audit: AuditEntry[]): void {
    const seqs = this.gateway.alerts.store.commit({ states: [], alerts: [alert], audit: audit.map((entry) => ({ entry, team: currentTeam(alert) })), callbacks: [] })
    audit.forEach((entry, i) => this.gateway.bus.emit('alert.changed', { alert, entry: { ...entry, seq: seqs[i]! } }))
  }
}

export function writeTeamsFile(dir: string, cfg: unknown): string {
  const file = join(dir, 'teams.json')
  writeFileSync(file, JSON.stringify(cfg, null, 2))
  return file
}

/** A test's site: its data dir, manual clock, a webhook receiver on 127.0.0.1 and the gateway it starts (closed after). */
export interface WebhookSite {
  dir: string
  clock: ManualClock
  rx: WebhookReceiver
  h: Harness | undefined
}

/** Sets up a fresh site before each test of the file and tears it down after (call at the top level). */
export function webhookSite(dirPrefix: string, t0: number): WebhookSite {
  const site = {} as WebhookSite
  beforeEach(async () => {
    site.dir = mkdtempSync(join(tmpdir(), dirPrefix))
    site.clock = new ManualClock(t0)
    site.rx = new WebhookReceiver(SECRET, site.clock)
    await site.rx.up()
  })
  afterEach(async () => {
    await site.h?.close()
    site.h = undefined
    await site.rx.down()
    rmSync(site.dir, { recursive: true, force: true })
  })
  return site
}
