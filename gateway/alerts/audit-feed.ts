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
import type { AlertColumns, AlertStore, StoredAudit } from './alert-store.js'

export interface FedChange {
  entry: StoredAudit
  /** The alert's record as stored now (its latest state), or null with the reason it could not be read. */
  alert: Alert | null
  problem: string | null
  /** With no readable record: what the alerts row's columns still say, if there is a row. */
  columns?: AlertColumns | undefined
}

/**
 * The entries with their alerts read. One read per alert per call: a storm re-triggers one
 * alert hundreds of times, and parsing its record is the costly part (the record is the current
 * one for all of its entries anyway).
 */
export function readChanges(store: AlertStore, entries: readonly StoredAudit[]): FedChange[] {
  const read = new Map<string, Omit<FedChange, 'entry'>>()
  return entries.map((entry) => {
    let got = read.get(entry.alertId)
    if (!got) read.set(entry.alertId, (got = readAlert(store, entry.alertId)))
    return { entry, ...got }
  })
}

function readAlert(store: AlertStore, alertId: string): Omit<FedChange, 'entry'> {
  try {
    const alert = store.get(alertId)
    if (alert) return { alert, problem: null }
    return { alert: null, problem: `alert ${alertId} is not in the alerts table`, columns: undefined }
  } catch (e) {
    return { alert: null, problem: e instanceof Error ? e.message : String(e), columns: store.columnsOf(alertId) }
  }
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
    return readChanges(this.store, this.store.auditAfter(this.cursor, limit))
  }

  /** Marks every entry up to `seq` as handed on; call inside the transaction that queued them. */
  advance(seq: number): void {
    if (seq > this.cursor) this.putCursor.run(this.consumer, seq)
  }
}
