/**
 * Alert deliveries (issue 11, "Routing"): every committed alert change goes to the team the
 * change was made for (its audit entry's team: the alert's current team then) through the
 * durable outbox. The changes are read from the audit trail, not from the bus event:
 *
 *   alert_audit ─▶ AuditFeed 'deliveries' (cursor in audit_cursors) ─▶ per batch of entries,
 *     ONE IMMEDIATE transaction: DeliveryGrouping's decisions (per team: rate limit, then one
 *     grouped delivery per window), the outbox rows of each delivery
 *               'alert-mqtt'          retained state v1/teams/<team>/alerts/<id> + v1/teams/<team>/events
 *               'webhook:<team>:<i>'  the team's i-th webhook (its own sink, so one failing receiver
 *                                     holds up only its own messages, in order, and has its own backoff)
 *     the grouping's windows (table delivery_groups) and the cursor (feed.advance)
 *   ─▶ SinkDrainer per sink (claim, deliver, ack; backoff kept in the rows)
 *
 * 'alert.changed' is only the trigger; the start catches up whatever the trail has past the
 * cursor. So a crash after an alert's commit and before its deliveries were queued, or inside a
 * grouping window, loses nothing and queues nothing twice: the cursor, the rows and the windows
 * commit together. The SSE stream (alert-stream.ts) reads the trail itself.
 *
 * At a start the retained state of every open alert is published again (the broker keeps
 * retained messages in memory only), and with MQTT rows waiting the team topics are held for
 * mqttResumeMs (gateway clock): a restart disconnected the teams' apps, and an event published
 * before they resubscribed would reach nobody.
 */
import { randomUUID } from 'node:crypto'

import type { Clock } from '../../clock.js'
import type { Log } from '../../log.js'
import { Outbox } from '../../outbox/outbox.js'
import { SinkDrainer } from '../../outbox/sink-drainer.js'
import type { Timer } from '../../shared/backoff.js'
import type { Db } from '../../store/database.js'
import { currentTeam } from '../alert-lifecycle.js'
import type { AlertStore } from '../alert-store.js'
import { AuditFeed, type FedChange } from '../audit-feed.js'
import { DeliveryGrouping, type TeamDelivery } from '../delivery-grouping.js'
import { RateLimitSchema, teamById, teamLocale, type Team, type TeamsConfig } from '../teams-config.js'
import { AlertStream, DEFAULT_STREAM_LIMITS, type AlertStreamLimits } from './alert-stream.js'
import { changeEventOf, deliveryBody, retainedPayload, retainedRows, teamAlertTopic, teamEventsTopic, type ChangeFacts } from './delivery-messages.js'
import { GroupingState } from './grouping-state.js'
import { SinkHealthReader, staleBacklog, type DeliveriesHealth, type SinkInfo } from './delivery-health.js'
import { ALERT_MQTT_SINK, MqttSink, type BrokerPublish, type MqttRow } from './mqtt-sink.js'
import { WebhookSink, type WebhookRow } from './webhook-sink.js'

/** Where alerts no team covers are kept and listed (api.md: no deliveries). */
export const UNASSIGNED_TEAM = 'unassigned'
/** Audit entries per transaction: a catch-up of thousands goes in steps that keep the write lock short. */
const FEED_BATCH = 200
export const FEED_CONSUMER = 'deliveries'

export interface AlertDeliveriesOptions {
  db: Db
  /** The alerts module's store: the audit trail and the alerts as they are now. */
  store: AlertStore
  clock: Clock
  log: Log
  teams: TeamsConfig | undefined
  publish: BrokerPublish
  webhookTimeoutMs: number
  /** Drainers' wait at an empty sink, and the grouping timer's period. */
  pollMs: number
  /** After a start with MQTT rows waiting, the team topics wait this long (gateway clock) for the apps to resubscribe. */
  mqttResumeMs?: number
  stream?: AlertStreamLimits
  backoff?: { baseMs: number; capMs: number }
  random?: () => number
  timer?: Timer
}

export const webhookSinkName = (teamId: string, i: number): string => `webhook:${teamId}:${i}`

const DEFAULT_LIMIT = RateLimitSchema.parse({})

export class AlertDeliveries {
  private outbox: Outbox | undefined
  private sinkHealth: SinkHealthReader | undefined
  private stream: AlertStream | undefined
  private feed: AuditFeed | undefined
  private groups: GroupingState | undefined
  private grouping: DeliveryGrouping
  private readonly drainers: SinkDrainer[] = []
  private mqttDrainer: SinkDrainer | undefined
  /** The MQTT drainer starts at this gateway time (a start with rows waiting); undefined: started. */
  private mqttHeldUntil: number | undefined
  private readonly sinks = new Map<string, SinkInfo>()
  private tickHandle: ReturnType<typeof setInterval> | undefined
  private pumping = false

  constructor(private readonly opts: AlertDeliveriesOptions) {
    this.grouping = this.newGrouping()
  }

  /** The SSE stream (while started). */
  get events(): AlertStream {
    if (!this.stream) throw new Error('alert deliveries are not started')
    return this.stream
  }

  /** The last audit seq queued for delivery. */
  get cursor(): number {
    return this.feed?.cursor ?? 0
  }

  start(): void {
    const { db, clock, log, teams } = this.opts
    const outbox = (this.outbox = new Outbox(db))
    this.sinkHealth = new SinkHealthReader(db, outbox)
    this.stream = new AlertStream(db, this.opts.store, this.opts.stream ?? DEFAULT_STREAM_LIMITS, (teamId) => teamLocale(this.team(teamId) ?? {}))
    this.feed = new AuditFeed(db, this.opts.store, FEED_CONSUMER)
    this.groups = new GroupingState(db)
    this.loadGrouping()
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
    this.mqttDrainer = drainer(new MqttSink(this.opts.publish, (id) => outbox.ack(ALERT_MQTT_SINK, id)), 100)
    for (const t of teams?.teams ?? []) {
      t.deliveries.forEach((d, i) => {
        if (d.kind !== 'webhook') return
        const name = webhookSinkName(t.id, i)
        this.sinks.set(name, { team: t.id, kind: 'webhook', url: d.url })
        this.drainers.push(drainer(new WebhookSink({ name, url: d.url, secrets: [d.secret], clock, outbox, timeoutMs: this.opts.webhookTimeoutMs }), 20))
      })
    }
    // Catch-up: the changes committed after the cursor (a crash before they were queued), then
    // the groups that fell due while the gateway was down. tick() logs a failure and the timer
    // tries again: a start is not refused for it.
    this.tick()
    this.restoreRetained()
    const resume = this.opts.mqttResumeMs ?? 0
    if (resume > 0 && outbox.backlog(ALERT_MQTT_SINK).count > 0) this.mqttHeldUntil = clock.now() + resume
    else this.drainers.push(this.mqttDrainer)
    for (const d of this.drainers) d.start()
    this.tickHandle = setInterval(() => this.tick(), this.opts.pollMs)
    this.tickHandle.unref()
  }

  async stop(): Promise<void> {
    if (this.tickHandle !== undefined) clearInterval(this.tickHandle)
    this.tickHandle = undefined
    if (this.outbox) this.tick() // groups already due are queued now
    const all = this.mqttHeldUntil !== undefined && this.mqttDrainer ? [...this.drainers, this.mqttDrainer] : this.drainers
    await Promise.all(all.map((d) => d.stop()))
    this.drainers.length = 0
    this.mqttDrainer = undefined
    this.mqttHeldUntil = undefined
    this.stream?.close()
  }

  /** The 'alert.changed' listener: a trigger only; what is queued comes from the trail. */
  onAlertChanged(seq: number, team: string): void {
    if (!this.feed) return
    this.stream?.notify(team)
    if (seq <= this.feed.cursor) return // queued with an earlier entry of its batch
    try {
      this.pump()
    } catch (err) {
      // Left behind the cursor: the next tick (or start) queues it.
      this.opts.log('error', 'alert deliveries: could not queue alert changes', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    }
  }

  /** Queues every change past the cursor, a batch per transaction. */
  private pump(): void {
    const feed = this.feed
    if (!feed || this.pumping) return
    this.pumping = true
    try {
      for (;;) {
        const batch = feed.next(FEED_BATCH)
        if (batch.length === 0) break
        const teams = new Set<string>()
        this.write(() => {
          for (const c of batch) {
            this.queueChange(c)
            teams.add(c.entry.team)
          }
          feed.advance(batch[batch.length - 1]!.entry.seq)
        })
        for (const t of teams) this.stream?.notify(t)
        this.wakeDrainers()
      }
    } finally {
      this.pumping = false
    }
  }

  /**
   * One IMMEDIATE transaction with the grouping's windows it changed. If it fails, the grouping
   * and the feed are read back from the database, so the next try decides from what committed.
   */
  private write(fn: () => void): void {
    try {
      this.opts.db
        .transaction(() => {
          fn()
          for (const team of this.grouping.takeDirty()) this.groups!.save(team, this.grouping.snapshot(team))
        })
        .immediate()
    } catch (err) {
      this.grouping = this.newGrouping()
      this.loadGrouping()
      this.feed = new AuditFeed(this.opts.db, this.opts.store, FEED_CONSUMER)
      throw err
    }
  }

  /** The outbox rows of one change for its team (in the caller's transaction). */
  private queueChange(c: FedChange): void {
    const { entry, alert } = c
    const team = this.team(entry.team)
    if (!team) return // no team covers it (or the team left the teams file): the SSE stream and the list have it
    const ev = changeEventOf(c)
    for (const r of retainedRows(entry, alert)) {
      const t = this.team(r.team)
      if (t && hasMqtt(t)) this.appendMqtt(t.id, r.row)
    }
    for (const d of this.grouping.publish([team.id], ev).deliveries) this.appendDelivery(d, c)
  }

  /** Committed rows go out now, not at the drainers' next poll (reading-to-alert latency). */
  private wakeDrainers(): void {
    for (const d of this.drainers) d.wake()
  }

  /** Queues the groups whose window has ended, and any change a failed trigger left (the module's timer; tests call it after moving the clock). */
  tick(): void {
    if (!this.outbox) return
    try {
      this.pump()
    } catch (err) {
      this.opts.log('error', 'alert deliveries: could not queue alert changes', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    }
    try {
      const due = this.grouping.tick()
      const dirty = this.grouping.takeDirty() // windows that ended: their rows go (or change)
      if (due.length > 0 || dirty.length > 0) {
        this.write(() => {
          for (const d of due) this.appendDelivery(d)
          for (const t of dirty) this.groups!.save(t, this.grouping.snapshot(t))
        })
      }
      if (due.length > 0) this.wakeDrainers()
    } catch (err) {
      this.opts.log('error', 'alert deliveries: tick failed', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    }
    if (this.mqttHeldUntil !== undefined && this.opts.clock.now() >= this.mqttHeldUntil && this.mqttDrainer) {
      this.mqttHeldUntil = undefined
      this.drainers.push(this.mqttDrainer)
      this.mqttDrainer.start()
    }
  }

  /** /healthz `alerts`: per sink (and team) the backlog, the head's attempts and last error; the groups held; the SSE clients. */
  health(): DeliveriesHealth {
    const held: Record<string, number> = {}
    for (const t of this.opts.teams?.teams ?? []) {
      const n = this.grouping.heldFor(t.id)
      if (n > 0) held[t.id] = n
    }
    const stream = { clients: this.stream?.clientCount ?? 0, dropped: this.stream?.dropped ?? 0 }
    return { deliveries: this.sinkHealth?.read(this.sinks) ?? {}, held, stream, mqttHeldUntil: this.mqttHeldUntil ?? null }
  }

  /** Why /healthz is degraded: a delivery waiting longer than 15 min (undefined: none). */
  problem(): string | undefined {
    return this.outbox ? staleBacklog(this.outbox, this.sinks.keys(), this.opts.clock.now()) : undefined
  }

  private team(teamId: string): Team | undefined {
    return this.opts.teams && teamId !== '' ? teamById(this.opts.teams, teamId) : undefined
  }

  private appendMqtt(teamId: string, row: MqttRow): void {
    this.outbox!.append(ALERT_MQTT_SINK, { key: teamId, at: this.opts.clock.now(), payload: JSON.stringify(row), queuedAt: this.opts.clock.now() })
  }

  /** One delivery to every sink of its team; in the caller's transaction. */
  private appendDelivery(d: TeamDelivery, single?: ChangeFacts): void {
    const team = this.team(d.teamId)
    if (!team) return
    const body = JSON.stringify(deliveryBody(d, single, teamLocale(team)))
    const now = this.opts.clock.now()
    team.deliveries.forEach((del, i) => {
      if (del.kind === 'mqtt') this.appendMqtt(team.id, { topic: teamEventsTopic(team.id), payload: body, retain: false })
      else if (del.kind === 'webhook') {
        // Fixed now, in the transaction that advances the cursor: every retry of this message,
        // and every restart, carries the same id (Standard Webhooks), and no change gets two.
        const row: WebhookRow = { id: `msg_${randomUUID().replace(/-/g, '')}`, body }
        this.outbox!.append(webhookSinkName(team.id, i), { key: team.id, at: d.at, payload: JSON.stringify(row), queuedAt: now })
      }
    })
  }

  /** The broker lost its retained messages with the last process: each open alert's state again. */
  private restoreRetained(): void {
    const mqttTeams = (this.opts.teams?.teams ?? []).filter(hasMqtt)
    if (mqttTeams.length === 0) return
    try {
      const open = this.opts.store.open()
      this.opts.db
        .transaction(() => {
          for (const a of open) {
            const team = this.team(currentTeam(a))
            if (team && hasMqtt(team)) this.appendMqtt(team.id, { topic: teamAlertTopic(team.id, a.id), payload: retainedPayload(a), retain: true })
          }
        })
        .immediate()
    } catch (err) {
      this.opts.log('error', 'alert deliveries: could not publish the open alerts retained again', { err: err instanceof Error ? err.message : String(err) })
    }
  }

  private newGrouping(): DeliveryGrouping {
    return new DeliveryGrouping(this.opts.clock, (teamId) => this.team(teamId)?.rateLimit ?? DEFAULT_LIMIT)
  }

  /** The windows as the last transaction left them; a team no longer in the teams file is dropped. */
  private loadGrouping(): void {
    const { windows, problems } = this.groups!.load()
    for (const p of problems) this.opts.log('error', 'alert deliveries: a grouping window is not readable; that team starts a new window', { err: p })
    for (const [team, w] of windows) if (this.team(team)) this.grouping.restore(team, w)
  }
}

const hasMqtt = (t: Team): boolean => t.deliveries.some((d) => d.kind === 'mqtt')
