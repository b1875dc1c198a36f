/**
 * What /healthz says about the alert deliveries (api.md): per sink (and team) the backlog, the
 * head's attempts and last error, parked rows; degraded when a delivery has waited longer than
 * 15 min.
 */
import { NEVER, type Outbox } from '../../outbox/outbox.js'
import type { Db } from '../../store/database.js'

/** /healthz turns degraded when a delivery has waited longer than this (api.md). */
export const STALE_BACKLOG_MS = 15 * 60_000

export interface SinkInfo {
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

export interface DeliveriesHealth {
  deliveries: Record<string, SinkHealth>
  /** Events held for each team's next group. */
  held: Record<string, number>
  /** SSE clients now, and how many were dropped for being too far behind. */
  stream: { clients: number; dropped: number }
  /** The team topics wait until then after a start (gateway time, ms), or null. */
  mqttHeldUntil: number | null
}

/** Reads each sink's health; its statements are prepared once, not at every /healthz or /metrics scrape. */
export class SinkHealthReader {
  private readonly head
  private readonly parked

  constructor(
    db: Db,
    private readonly outbox: Outbox,
  ) {
    this.head = db.prepare<[string], { attempts: number; last_error: string | null }>('SELECT attempts, last_error FROM outbox WHERE sink = ? ORDER BY id LIMIT 1')
    this.parked = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE sink = ? AND next_at >= ${NEVER}`)
  }

  read(sinks: ReadonlyMap<string, SinkInfo>): Record<string, SinkHealth> {
    const out: Record<string, SinkHealth> = {}
    for (const [name, info] of sinks) {
      const b = this.outbox.backlog(name)
      const h = this.head.get(name)
      out[name] = {
        kind: info.kind,
        ...(info.team !== null ? { team: info.team } : {}),
        ...(info.url !== undefined ? { url: info.url } : {}),
        backlog: b.count,
        oldestQueuedAt: b.oldestQueuedAt === undefined ? null : new Date(b.oldestQueuedAt).toISOString(),
        attempts: h?.attempts ?? 0,
        lastError: h?.last_error ?? null,
        parked: this.parked.get(name)?.n ?? 0,
      }
    }
    return out
  }
}

/** The first sink whose oldest delivery has waited more than 15 min, as a reason; undefined: none. */
export function staleBacklog(outbox: Outbox, sinks: Iterable<string>, now: number): string | undefined {
  for (const name of sinks) {
    const at = outbox.backlog(name).oldestQueuedAt
    if (at !== undefined && now - at > STALE_BACKLOG_MS) return `alert deliveries to ${name} have waited since ${new Date(at).toISOString()} (more than 15 min)`
  }
  return undefined
}
