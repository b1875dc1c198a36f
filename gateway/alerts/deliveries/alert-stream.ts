/**
 * The teams' server-sent-events stream (GET /api/v1/alerts/stream?team=, WHATWG HTML
 * "Server-sent events"): every alert change of a team, read from the audit trail (table
 * alert_audit, by team: index alert_audit_team), with `id:` = the change's audit seq (api.md: the
 * SSE id is the audit sequence), so a client that reconnects with `Last-Event-ID` gets exactly
 * what it missed, whatever happened to the gateway in between: the trail is written in the
 * alert's own commit.
 *
 * Bounded per client: a client is sent from the trail, one page at a time, and only when its
 * socket took the previous page (write() returned true or 'drain' came), so the gateway
 * buffers at most one page per client, however far behind it is. A client whose socket stays
 * full while more than maxLag new events of its team come is dropped (it reconnects with
 * Last-Event-ID and catches up from the trail). Being far behind alone is no reason: a client
 * catching up reads, and each page comes from SQLite, not from memory.
 */
import type { ServerResponse } from 'node:http'

import type { Locale } from '../../../contract/catalogue/text.js'
import type { Db } from '../../store/database.js'
import type { AlertStore } from '../alert-store.js'
import { readChanges, type FedChange } from '../audit-feed.js'
import { changeEventOf, deliveryBody } from './delivery-messages.js'

const PAGE = 200

interface Client {
  team: string
  /** The language of each event's `title` (every event also carries `text` in all locales). */
  locale: Locale
  last: number
  res: ServerResponse
  /** Its socket is full: wait for 'drain'. */
  waiting: boolean
  /** The team's latest seq when its socket became full: it is dropped once maxLag more came. */
  headAtFull: number
}

export interface AlertStreamLimits {
  /** Events a client may be behind while its socket is full before it is dropped. */
  maxLag: number
  maxClients: number
}

export const DEFAULT_STREAM_LIMITS: AlertStreamLimits = { maxLag: 1000, maxClients: 100 }

export class AlertStream {
  private readonly clients = new Set<Client>()
  /** Is there a change of the team more than maxLag after seq? (OFFSET maxLag on the index.) */
  private readonly beyondLag
  private readonly teamHead
  dropped = 0

  constructor(
    db: Db,
    private readonly store: AlertStore,
    private readonly limits: AlertStreamLimits,
    /** A team's own title language (teams file `locale`), for a client that asks for none. */
    readonly teamLocale: (team: string) => Locale,
  ) {
    this.beyondLag = db.prepare<[string, number, number], { seq: number }>('SELECT seq FROM alert_audit WHERE team = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?')
    this.teamHead = db.prepare<[string], { s: number | null }>('SELECT max(seq) AS s FROM alert_audit WHERE team = ?')
  }

  /** The team's events after `seq`, as sent: [seq, body]. */
  after(team: string, seq: number, limit: number, locale: Locale): { seq: number; body: string }[] {
    return readChanges(this.store, this.store.teamAuditAfter(team, seq, limit)).map((c) => ({ seq: c.entry.seq, body: JSON.stringify(changeBody(team, c, locale)) }))
  }

  get maxClients(): number {
    return this.limits.maxClients
  }

  get clientCount(): number {
    return this.clients.size
  }

  /** Streams the team's events after `lastId` to `res` (headers not yet sent) until it closes; false: too many clients. */
  attach(team: string, lastId: number, res: ServerResponse, locale: Locale): boolean {
    if (this.clients.size >= this.limits.maxClients) return false
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    // retry: how long a browser's EventSource waits before reconnecting.
    res.write(': alerts of team ' + team + '\nretry: 2000\n\n')
    const c: Client = { team, locale, last: lastId, res, waiting: false, headAtFull: 0 }
    this.clients.add(c)
    res.on('close', () => this.clients.delete(c))
    res.on('drain', () => {
      c.waiting = false
      this.pump(c)
    })
    this.pump(c)
    return true
  }

  /** The team has new changes in the trail (after their commit). */
  notify(team: string): void {
    for (const c of this.clients) if (c.team === team) this.pump(c)
  }

  close(): void {
    for (const c of this.clients) c.res.end()
    this.clients.clear()
  }

  /** More than maxLag events of its team came since its socket became full. */
  private lagging(c: Client): boolean {
    return this.beyondLag.get(c.team, c.headAtFull, this.limits.maxLag) !== undefined
  }

  private pump(c: Client): void {
    if (!this.clients.has(c)) return
    if (c.waiting) {
      if (this.lagging(c)) this.drop(c)
      return
    }
    for (;;) {
      const rows = this.after(c.team, c.last, PAGE, c.locale)
      if (rows.length === 0) return
      let ok = true
      for (const r of rows) {
        ok = c.res.write(`id: ${r.seq}\nevent: alert\ndata: ${r.body}\n\n`)
        c.last = r.seq
      }
      if (!ok) {
        c.waiting = true
        c.headAtFull = this.teamHead.get(c.team)?.s ?? c.last
        return
      }
    }
  }

  /** Too slow: dropped instead of buffered; it resumes from the trail with Last-Event-ID. */
  private drop(c: Client): void {
    this.dropped++
    this.clients.delete(c)
    c.res.destroy()
  }
}

/** The body of one change as the webhooks carry it (delivery-messages.ts deliveryBody). */
export function changeBody(team: string, c: FedChange, locale: Locale) {
  return deliveryBody({ kind: 'single', teamId: team, at: c.entry.at, event: changeEventOf(c) }, c, locale)
}
