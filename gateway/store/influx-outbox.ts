/**
 * The InfluxDB outbox: the ordered, durable cursor the forwarder drains. The readings table
 * is WITHOUT ROWID (no insertion order), so when InfluxDB is configured the ingest log also
 * appends, in the same transaction, a row per point it stored new readings of (device and
 * device time; duplicates never get here). The forwarder reads the points' readings back
 * from the readings table, writes them, and deletes the rows (gateway/forwarder/outbox.ts).
 *
 * Attachments can change after readings were forwarded (a job attached with `at` in the
 * past, a detach sent late): triggers on job_devices record the affected window in
 * `influx_requeue`, and the forwarder re-routes that device's readings in the window.
 * Verdict changes wait in `influx_verdicts`, so they survive an InfluxDB outage too.
 */
import type { Db } from './database.js'

/** Larger than any device time: an open attachment's end. */
export const OPEN_END = Number.MAX_SAFE_INTEGER


// A window [from, to] of one device whose routing (job or in service) may have changed.
const requeue = (device: string, from: string, to: string) =>
  `INSERT INTO influx_requeue (device_id, from_ts, to_ts, next_ts) VALUES (${device}, ${from}, ${to}, ${from});`
const end = (row: 'OLD' | 'NEW') => `COALESCE(${row}.detached_at, ${OPEN_END})`

const TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS influx_requeue_attach AFTER INSERT ON job_devices BEGIN
  ${requeue('NEW.device_id', 'NEW.attached_at', end('NEW'))}
END;
CREATE TRIGGER IF NOT EXISTS influx_requeue_detach AFTER UPDATE OF detached_at ON job_devices
WHEN OLD.attached_at = NEW.attached_at AND OLD.device_id = NEW.device_id AND OLD.detached_at IS NOT NEW.detached_at BEGIN
  ${requeue('NEW.device_id', `min(${end('OLD')}, ${end('NEW')})`, `max(${end('OLD')}, ${end('NEW')})`)}
END;
CREATE TRIGGER IF NOT EXISTS influx_requeue_change AFTER UPDATE OF job_id, device_id, attached_at ON job_devices
WHEN OLD.job_id IS NOT NEW.job_id OR OLD.device_id IS NOT NEW.device_id OR OLD.attached_at IS NOT NEW.attached_at BEGIN
  ${requeue('OLD.device_id', 'OLD.attached_at', end('OLD'))}
  ${requeue('NEW.device_id', 'NEW.attached_at', end('NEW'))}
END;
CREATE TRIGGER IF NOT EXISTS influx_requeue_delete AFTER DELETE ON job_devices BEGIN
  ${requeue('OLD.device_id', 'OLD.attached_at', end('OLD'))}
END;
`

const TRIGGER_NAMES = ['influx_requeue_attach', 'influx_requeue_detach', 'influx_requeue_change', 'influx_requeue_delete']

/**
 * With InfluxDB configured: the attachment triggers (the tables are migration 3's). Without: the triggers go (so
 * nothing piles up for a forwarder that does not run); rows left from an earlier run stay
 * and are forwarded when InfluxDB is configured again.
 */
export function configureInfluxOutbox(db: Db, enabled: boolean): void {
  if (enabled) {
    db.exec(TRIGGERS)
  } else {
    for (const name of TRIGGER_NAMES) db.exec(`DROP TRIGGER IF EXISTS ${name}`)
  }
}

/**
 * The ingest log's side: a row per point (device, device time) a message newly stored
 * readings of, with their count. begin() at the start of each transaction reads the running
 * count from the tail (re-routes append too); mark() each reading really inserted; end() the
 * message. Consecutive marks of the same point make one row.
 */
export class OutboxAppender {
  private readonly tailUpto
  private readonly insert
  private upto = 0
  private pending: { deviceId: string; ts: number; queuedAt: number; n: number } | undefined

  constructor(db: Db) {
    this.tailUpto = db.prepare<[], { upto: number }>('SELECT upto FROM influx_outbox ORDER BY id DESC LIMIT 1')
    this.insert = db.prepare<[string, number, number, number, number]>('INSERT INTO influx_outbox (device_id, ts, queued_at, n, upto) VALUES (?, ?, ?, ?, ?)')
  }

  begin(): void {
    this.upto = this.tailUpto.get()?.upto ?? 0
    this.pending = undefined // left over only if a transaction failed half-way (and rolled back)
  }

  mark(deviceId: string, ts: number, queuedAt: number): void {
    const p = this.pending
    if (p && p.deviceId === deviceId && p.ts === ts && p.queuedAt === queuedAt) {
      p.n++
      return
    }
    this.end()
    this.pending = { deviceId, ts, queuedAt, n: 1 }
  }

  /** Writes the pending row, if any. */
  end(): void {
    const p = this.pending
    if (!p) return
    this.upto += p.n
    this.insert.run(p.deviceId, p.ts, p.queuedAt, p.n, this.upto)
    this.pending = undefined
  }
}
