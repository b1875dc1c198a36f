/**
 * The teams' server-sent-events stream (GET /api/v1/alerts/stream?team=, WHATWG HTML
 * "Server-sent events"): every alert change of a team, with `id:` = its sequence number in
 * table alert_stream, so a client that reconnects with `Last-Event-ID` gets what it missed.
 *
 * The table is written in the same transaction as the change's outbox rows. It stands in for
 * the alerts module's audit table (api.md: the SSE id is the audit sequence) until the lead
 * merges the two: then `after()` reads alert_audit instead. Kept: the last MAX_KEPT rows.
 *
 * Bounded per client: a client is sent from the table, one page at a time, and only when its
 * socket took the previous page (write() returned true or 'drain' came), so the gateway
 * buffers at most one page per client. A client more than maxLag events behind while its socket
 * is full is dropped (it reconnects with Last-Event-ID and catches up from the table).
 */
import type { ServerResponse } from 'node:http'

import type { Db } from '../../store/database.js'

const MAX_KEPT = 100_000
const PAGE = 200

export interface StreamRow {
  seq: number
  team: string
  body: string
}

interface Client {
  team: string
  last: number
  res: ServerResponse
  /** Its socket is full: wait for 'drain'. */
  waiting: boolean
}

export interface AlertStreamLimits {
  /** Events a client may be behind while its socket is full before it is dropped. */
  maxLag: number
  maxClients: number
}

export class AlertStream {
  private readonly insert
  private readonly selectAfter
  private readonly prune
  private readonly clients = new Set<Client>()
  private lastSeq = 0
  dropped = 0

  constructor(
    db: Db,
    private readonly limits: AlertStreamLimits = { maxLag: 1000, maxClients: 100 },
  ) {
    // Not a numbered migration: a stand-in table (see above) the merge with the audit table removes.
    db.exec('CREATE TABLE IF NOT EXISTS alert_stream (seq INTEGER PRIMARY KEY AUTOINCREMENT, team TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL); CREATE INDEX IF NOT EXISTS alert_stream_team ON alert_stream (team, seq)')
    this.insert = db.prepare<[string, number, string]>('INSERT INTO alert_stream (team, at, body) VALUES (?, ?, ?)')
    this.selectAfter = db.prepare<[string, number, number], StreamRow>('SELECT seq, team, body FROM alert_stream WHERE team = ? AND seq > ? ORDER BY seq LIMIT ?')
    this.prune = db.prepare<[number]>('DELETE FROM alert_stream WHERE seq <= ?')
    this.lastSeq = (db.prepare('SELECT max(seq) AS s FROM alert_stream').get() as { s: number | null }).s ?? 0
  }

  /** Appends one event (in the caller's transaction); its sequence number. */
  append(team: string, at: number, body: string): number {
    const seq = Number(this.insert.run(team, at, body).lastInsertRowid)
    this.lastSeq = seq
    if (seq % 1000 === 0) this.prune.run(seq - MAX_KEPT)
    return seq
  }

  after(team: string, seq: number, limit: number): StreamRow[] {
    return this.selectAfter.all(team, seq, limit)
  }

  get maxClients(): number {
    return this.limits.maxClients
  }

  get clientCount(): number {
    return this.clients.size
  }

  /** Streams the team's events after `lastId` to `res` (headers not yet sent) until it closes; false: too many clients. */
  attach(team: string, lastId: number, res: ServerResponse): boolean {
    if (this.clients.size >= this.limits.maxClients) return false
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    // retry: how long a browser's EventSource waits before reconnecting.
    res.write(': alerts of team ' + team + '\nretry: 2000\n\n')
    const c: Client = { team, last: lastId, res, waiting: false }
    this.clients.add(c)
    res.on('close', () => this.clients.delete(c))
    res.on('drain', () => {
      c.waiting = false
      this.pump(c)
    })
    this.pump(c)
    return true
  }

  /** A new event of `team` was appended (after its transaction committed). */
  notify(team: string, _seq: number): void {
    for (const c of this.clients) if (c.team === team) this.pump(c)
  }

  close(): void {
    for (const c of this.clients) c.res.end()
    this.clients.clear()
  }

  private pump(c: Client): void {
    if (!this.clients.has(c)) return
    if (c.waiting) {
      if (this.lastSeq - c.last > this.limits.maxLag) this.drop(c)
      return
    }
    for (;;) {
      const rows = this.after(c.team, c.last, PAGE)
      if (rows.length === 0) return
      let ok = true
      for (const r of rows) {
        ok = c.res.write(`id: ${r.seq}\nevent: alert\ndata: ${r.body}\n\n`)
        c.last = r.seq
      }
      if (!ok) {
        c.waiting = true
        if (this.lastSeq - c.last > this.limits.maxLag) this.drop(c)
        return
      }
    }
  }

  /** Too slow: dropped instead of buffered; it resumes from the table with Last-Event-ID. */
  private drop(c: Client): void {
    this.dropped++
    this.clients.delete(c)
    c.res.destroy()
  }
}
