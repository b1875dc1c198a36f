/**
 * The alert audit trail read as a durable log (issue 11: "a restart loses none"). Each
 * consumer keeps a cursor in `audit_cursors` and advances it in the same transaction as what
 * it queued for the entries it read, so every committed alert change is handed on exactly
 * once: a crash after an alert's commit and before its deliveries leaves the cursor behind,
 * and the next start catches up.
 *
 * A consumer seen for the first time starts at the end of the trail: it is told about the
 * changes from then on, not the history from before it existed.
 */
import type { Db } from '../store/database.js'
import type { Alert } from './alert-lifecycle.js'
import type { AlertStore, StoredAudit } from './alert-store.js'

export interface FedChange {
  entry: StoredAudit
  /** The alert's record as stored now (its latest state), or null with the reason it could not be read. */
  alert: Alert | null
  problem: string | null
}

export class AuditFeed {
  private readonly selectCursor
  private readonly putCursor
  private readonly maxSeq

  constructor(
    db: Db,
    private readonly store: AlertStore,
    readonly consumer: string,
  ) {
    this.selectCursor = db.prepare<[string], { seq: number }>('SELECT seq FROM audit_cursors WHERE consumer = ?')
    this.putCursor = db.prepare<[string, number]>('INSERT INTO audit_cursors (consumer, seq) VALUES (?, ?) ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq')
    this.maxSeq = db.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM alert_audit')
  }

  /**
   * The last entry handed on (creates the cursor at the trail's end the first time). Read from
   * the table each time, not kept in memory: an advance whose transaction rolled back is then
   * not taken for done.
   */
  get cursor(): number {
    const row = this.selectCursor.get(this.consumer)
    if (row) return row.seq
    const end = this.maxSeq.get()?.s ?? 0
    this.putCursor.run(this.consumer, end)
    return end
  }

  /** Up to `limit` changes after the cursor, oldest first. Reading does not advance it. */
  next(limit: number): FedChange[] {
    // One read per alert per call: a storm re-triggers one alert hundreds of times, and parsing
    // its record is the costly part (the record is the current one for all of its entries anyway).
    const read = new Map<string, Pick<FedChange, 'alert' | 'problem'>>()
    return this.store.auditAfter(this.cursor, limit).map((entry) => {
      let got = read.get(entry.alertId)
      if (!got) read.set(entry.alertId, (got = this.read(entry.alertId)))
      return { entry, ...got }
    })
  }

  private read(alertId: string): Pick<FedChange, 'alert' | 'problem'> {
    try {
      const alert = this.store.get(alertId)
      return { alert: alert ?? null, problem: alert ? null : `alert ${alertId} is not in the alerts table` }
    } catch (e) {
      return { alert: null, problem: e instanceof Error ? e.message : String(e) }
    }
  }

  /** Marks every entry up to `seq` as handed on; call inside the transaction that queued them. */
  advance(seq: number): void {
    if (seq > this.cursor) this.putCursor.run(this.consumer, seq)
  }
}
