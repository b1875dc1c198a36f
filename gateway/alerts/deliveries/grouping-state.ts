/**
 * The per-team grouping windows (delivery-grouping.ts) in table delivery_groups (migration 8):
 * one row per team that has a window open, written in the transaction of the deliveries the
 * grouping decided, and read back at a start. So a crash inside a window forgets neither the
 * events held for its group nor how many went out one by one.
 *
 * A row that does not parse is reported with its team and left out (that team starts a fresh
 * window): one bad row must not stop the deliveries of every team.
 */
import { z } from 'zod'

import type { Db } from '../../store/database.js'
import { parseStoredJson } from '../../store/stored-json.js'
import type { TeamWindowState } from '../delivery-grouping.js'

const Severity = z.enum(['warning', 'minor', 'major', 'critical'])
const Count = z.number().int().min(0)
const EventSchema = z.object({
  kind: z.enum(['raised', 'retriggered', 'acknowledged', 'assigned', 'cleared', 'escalated']),
  alertId: z.string(),
  deviceId: z.string(),
  fault: z.string(),
  severity: Severity,
  at: z.number(),
  message: z.string(),
})
/** Bounds: maxListed is at most 1000 (teams-config.ts), fault names 50 + "(other)". */
const PendingSchema = z.object({
  count: Count,
  listedCount: Count,
  listed: z.array(EventSchema).max(1000),
  byFault: z.array(z.tuple([z.string(), Count])).max(51),
  bySeverity: z.array(z.tuple([Severity, Count])).max(4),
  worst: Severity,
})

export class GroupingState {
  private readonly selectAll
  private readonly upsert
  private readonly remove

  constructor(db: Db) {
    this.selectAll = db.prepare<[], { team: string; window_start: number | null; sent: number; pending: string | null }>('SELECT team, window_start, sent, pending FROM delivery_groups')
    this.upsert = db.prepare<[string, number | null, number, string | null]>(
      'INSERT INTO delivery_groups (team, window_start, sent, pending) VALUES (?, ?, ?, ?) ON CONFLICT (team) DO UPDATE SET window_start = excluded.window_start, sent = excluded.sent, pending = excluded.pending',
    )
    this.remove = db.prepare<[string]>('DELETE FROM delivery_groups WHERE team = ?')
  }

  /** Every team's stored window; rows that cannot be read are in `problems`. */
  load(): { windows: Map<string, TeamWindowState>; problems: string[] } {
    const windows = new Map<string, TeamWindowState>()
    const problems: string[] = []
    for (const r of this.selectAll.iterate()) {
      try {
        const pending = r.pending === null ? null : parseStoredJson(r.pending, 'delivery_groups', `team ${JSON.stringify(r.team)} column pending`, PendingSchema)
        windows.set(r.team, { start: r.window_start, sent: r.sent, pending })
      } catch (e) {
        problems.push(e instanceof Error ? e.message : String(e))
      }
    }
    return { windows, problems }
  }

  /** Writes a team's window (null: it holds nothing, the row goes); in the caller's transaction. */
  save(team: string, s: TeamWindowState | null): void {
    if (s === null) this.remove.run(team)
    else this.upsert.run(team, s.start, s.sent, s.pending === null ? null : JSON.stringify(s.pending))
  }
}
