/**
 * Alert deliveries (issue 11, "Routing"): every 'alert.changed' goes to the team the alert is
 * with now (alert.chain[teamIndex], alert-lifecycle.ts currentTeam) through the durable outbox:
 *
 *   change ─▶ DeliveryGrouping (per team: rate limit, then one grouped delivery per window)
 *          ─▶ ONE SQLite transaction per delivery: a row per sink of the team
 *               'alert-mqtt'          retained state v1/teams/<team>/alerts/<id> + v1/teams/<team>/events
 *               'webhook:<team>:<i>'  the team's i-th webhook (its own sink, so one failing receiver
 *                                     holds up only its own messages, in order, and has its own backoff)
 *             and the SSE stream row (alert-stream.ts)
 *          ─▶ SinkDrainer per sink (claim, deliver, ack; backoff kept in the rows)
 *
 * What is in the outbox survives a restart. Not durable: events the grouping holds for the
 * current window (at most windowS, 60 s by default); stop() flushes the groups that are due.
 */
import { randomUUID } from 'node:crypto'

import type { Clock } from '../../clock.js'
import type { Log } from '../../log.js'
import { NEVER, Outbox } from '../../outbox/outbox.js'
import { SinkDrainer } from '../../outbox/sink-drainer.js'
import type { Timer } from '../../shared/backoff.js'
import type { Db } from '../../store/database.js'
import { currentTeam, type Alert, type AuditEntry } from '../alert-lifecycle.js'
import { DeliveryGrouping, type TeamDelivery } from '../delivery-grouping.js'
import { RateLimitSchema, teamById, type Team, type TeamsConfig } from '../teams-config.js'
import { AlertStream } from './alert-stream.js'
import { alertEventOf, deliveryBody, retainedPayload, teamAlertTopic, teamEventsTopic } from './delivery-messages.js'
import { ALERT_MQTT_SINK, MqttSink, type BrokerPublish, type MqttRow } from './mqtt-sink.js'
import { WebhookSink, type WebhookRow } from './webhook-sink.js'

/** Where alerts no team covers are kept and listed (api.md: no deliveries). */
export const UNASSIGNED_TEAM = 'unassigned'
/** /healthz turns degraded when a delivery has waited longer than this (api.md). */
export const STALE_BACKLOG_MS = 15 * 60_000

export interface AlertDeliveriesOptions {
  db: Db
  clock: Clock
  log: Log
  teams: TeamsConfig | undefined
  publish: BrokerPublish
  webhookTimeoutMs: number
  /** Drainers' wait at an empty sink, and the grouping timer's period. */
  pollMs: number
  backoff?: { baseMs: number; capMs: number }
  random?: () => number
  timer?: Timer
}

export const webhookSinkName = (teamId: string, i: number): string => `webhook:${teamId}:${i}`

interface SinkInfo {
  team: string | null
  kind: 'mqtt' | 'webhook'
  url?: string
}

export interface SinkHealth {
  kind: 'mqtt' | 'webhook'
  team?: string
  url?: string
  backlog: number
  oldestQueuedAt: string | null
  /** Failed attempts of the oldest waiting delivery, and why the last one failed. */
  attempts: number
  lastError: string | null
  parked: number
}

const DEFAULT_LIMIT = RateLimitSchema.parse({})

export class AlertDeliveries {
  private outbox: Outbox | undefined
  private stream: AlertStream | undefined
  private readonly grouping: DeliveryGrouping
  private readonly drainers: SinkDrainer[] = []
  private readonly sinks = new Map<string, SinkInfo>()
  private head: ReturnType<Db['prepare']> | undefined
  private parkedCount: ReturnType<Db['prepare']> | undefined
  private tickHandle: ReturnType<typeof setInterval> | undefined

  constructor(private readonly opts: AlertDeliveriesOptions) {
    this.grouping = new DeliveryGrouping(opts.clock, (teamId) => this.team(teamId)?.rateLimit ?? DEFAULT_LIMIT)
  }

  /** The SSE stream (while started). */
  get events(): AlertStream {
    if (!this.stream) throw new Error('alert deliveries are not started')
    return this.stream
  }

  start(): void {
    const { db, clock, log, teams } = this.opts
    const outbox = (this.outbox = new Outbox(db))
    this.stream = new AlertStream(db)
    this.head = db.prepare('SELECT attempts, last_error FROM outbox WHERE sink = ? ORDER BY id LIMIT 1')
    this.parkedCount = db.prepare(`SELECT count(*) AS n FROM outbox WHERE sink = ? AND next_at >= ${NEVER}`)
    const drainer = (sink: ConstructorParameters<typeof SinkDrainer>[0]['sink'], batch: number) =>
      new SinkDrainer({
        outbox,
        sink,
        clock,
        log,
        batch,
        // Alerts are few and matter: retry for about two days (capped at 5 min) before parking.
        maxAttempts: 600,
        backoff: this.opts.backoff ?? { baseMs: 1000, capMs: 300_000 },
        pollMs: this.opts.pollMs,
        ...(this.opts.random ? { random: this.opts.random } : {}),
        ...(this.opts.timer ? { timer: this.opts.timer } : {}),
      })
    this.sinks.set(ALERT_MQTT_SINK, { team: null, kind: 'mqtt' })
    this.drainers.push(drainer(new MqttSink(this.opts.publish, (id) => outbox.ack(ALERT_MQTT_SINK, id)), 100))
    for (const t of teams?.teams ?? []) {
      t.deliveries.forEach((d, i) => {
        if (d.kind !== 'webhook') return
        const name = webhookSinkName(t.id, i)
        this.sinks.set(name, { team: t.id, kind: 'webhook', url: d.url })
        this.drainers.push(drainer(new WebhookSink({ name, url: d.url, secrets: [d.secret], clock, outbox, timeoutMs: this.opts.webhookTimeoutMs }), 20))
      })
    }
    for (const d of this.drainers) d.start()
    this.tickHandle = setInterval(() => this.tick(), this.opts.pollMs)
    this.tickHandle.unref()
  }

  async stop(): Promise<void> {
    if (this.tickHandle !== undefined) clearInterval(this.tickHandle)
    this.tickHandle = undefined
    if (this.outbox) this.tick() // groups already due are queued, not lost
    await Promise.all(this.drainers.map((d) => d.stop()))
    this.drainers.length = 0
    this.stream?.close()
  }

  /** One committed alert change (the 'alert.changed' listener): queued durably before it returns. */
  onAlertChanged(alert: Alert, entry: AuditEntry): void {
    const outbox = this.outbox
    if (!outbox || !this.stream) return
    const teamId = currentTeam(alert)
    const team = this.team(teamId)
    const ev = alertEventOf(alert, entry)
    const deliveries = team ? this.grouping.publish([team.id], ev).deliveries : []
    const body = JSON.stringify(deliveryBody({ kind: 'single', teamId: teamId || UNASSIGNED_TEAM, at: entry.at, event: ev }, { alert, entry }))
    let seq = 0
    this.opts.db.transaction(() => {
      seq = this.stream!.append(teamId || UNASSIGNED_TEAM, entry.at, body)
      if (team && hasMqtt(team)) this.appendMqtt(team.id, { topic: teamAlertTopic(team.id, alert.id), payload: retainedPayload(alert), retain: true })
      // Escalated to another team: the alert leaves the old team's retained topics.
      const esc = entry.action === 'escalate' ? alert.escalations[alert.escalations.length - 1] : undefined
      const from = esc && esc.fromTeam !== esc.toTeam ? this.team(esc.fromTeam) : undefined
      if (from && hasMqtt(from)) this.appendMqtt(from.id, { topic: teamAlertTopic(from.id, alert.id), payload: retainedPayload(null), retain: true })
      for (const d of deliveries) this.appendDelivery(d, { alert, entry })
    }).immediate()
    this.stream.notify(teamId || UNASSIGNED_TEAM, seq)
    this.wakeDrainers()
  }

  /** Committed rows go out now, not at the drainers' next poll (reading-to-alert latency). */
  private wakeDrainers(): void {
    for (const d of this.drainers) d.wake()
  }

  /** Queues the groups whose window has ended (the module's timer; tests call it after moving the clock). */
  tick(): void {
    if (!this.outbox) return
    const due = this.grouping.tick()
    for (const d of due) this.opts.db.transaction(() => this.appendDelivery(d)).immediate()
    if (due.length > 0) this.wakeDrainers()
  }

  /** /healthz `alerts.deliveries`: per sink (and team) the backlog, the head's attempts and last error. */
  health(): { deliveries: Record<string, SinkHealth>; held: Record<string, number> } {
    const deliveries: Record<string, SinkHealth> = {}
    const outbox = this.outbox
    if (!outbox) return { deliveries, held: {} }
    for (const [name, info] of this.sinks) {
      const b = outbox.backlog(name)
      const h = this.head!.get(name) as { attempts: number; last_error: string | null } | undefined
      deliveries[name] = {
        kind: info.kind,
        ...(info.team !== null ? { team: info.team } : {}),
        ...(info.url !== undefined ? { url: info.url } : {}),
        backlog: b.count,
        oldestQueuedAt: b.oldestQueuedAt === undefined ? null : new Date(b.oldestQueuedAt).toISOString(),
        attempts: h?.attempts ?? 0,
        lastError: h?.last_error ?? null,
        parked: (this.parkedCount!.get(name) as { n: number }).n,
      }
    }
    const held: Record<string, number> = {}
    for (const t of this.opts.teams?.teams ?? []) {
      const n = this.grouping.heldFor(t.id)
      if (n > 0) held[t.id] = n
    }
    return { deliveries, held }
  }

  /** Why /healthz is degraded: a delivery waiting longer than 15 min (undefined: none). */
  problem(): string | undefined {
    const outbox = this.outbox
    if (!outbox) return undefined
    const now = this.opts.clock.now()
    for (const name of this.sinks.keys()) {
      const at = outbox.backlog(name).oldestQueuedAt
      if (at !== undefined && now - at > STALE_BACKLOG_MS) {
        return `alert deliveries to ${name} have waited since ${new Date(at).toISOString()} (more than 15 min)`
      }
    }
    return undefined
  }

  private team(teamId: string): Team | undefined {
    return this.opts.teams && teamId !== '' ? teamById(this.opts.teams, teamId) : undefined
  }

  private appendMqtt(teamId: string, row: MqttRow): void {
    this.outbox!.append(ALERT_MQTT_SINK, { key: teamId, at: this.opts.clock.now(), payload: JSON.stringify(row), queuedAt: this.opts.clock.now() })
  }

  /** One delivery to every sink of its team; in the caller's transaction. */
  private appendDelivery(d: TeamDelivery, single?: { alert: Alert; entry: AuditEntry }): void {
    const team = this.team(d.teamId)
    if (!team) return
    const body = JSON.stringify(deliveryBody(d, single))
    const now = this.opts.clock.now()
    team.deliveries.forEach((del, i) => {
      if (del.kind === 'mqtt') this.appendMqtt(team.id, { topic: teamEventsTopic(team.id), payload: body, retain: false })
      else if (del.kind === 'webhook') {
        // Fixed now, so every retry of this message carries the same id (Standard Webhooks).
        const row: WebhookRow = { id: `msg_${randomUUID().replace(/-/g, '')}`, body }
        this.outbox!.append(webhookSinkName(team.id, i), { key: team.id, at: d.at, payload: JSON.stringify(row), queuedAt: now })
      }
    })
  }
}

const hasMqtt = (t: Team): boolean => t.deliveries.some((d) => d.kind === 'mqtt')
