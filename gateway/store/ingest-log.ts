/**
 * The durable ingest log: each accepted message's readings, seq state and quarantine record
 * are committed together (group commit) before the message is acknowledged.
 *
 * What is a duplicate (docs/protocol.md, "Readings"):
 * - the same reading: same device, channel and device time AND the same value;
 * - the same seq within one counter epoch. Within an epoch a device's seq only goes up, so
 *   that is a repeat of the last seq; a seq lower than the last starts a new epoch (the
 *   firmware rebooted and its counter restarted).
 * A re-send with the same key but another value is a conflict: kept in readings_conflicts
 * beside the first value, reported, never dropped.
 *
 * Hot path: one multi-row INSERT per sample (reading-inserts.ts), keyed by the stream ids of
 * reading-streams.ts. Only a key that already exists (a redelivery or a conflict, both rare)
 * costs an INSERT OR IGNORE and a SELECT of the stored value for that reading.
 *
 * A value sent with a unit keeps it as sent in readings_sent (one more INSERT, for those only):
 * a plain number, already canonical, runs the one statement it always did.
 * Equal canonical values are the same reading whatever unit they came in (1 bar and 100 kPa):
 * a duplicate, not a conflict; the as-sent form kept is the one first stored.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Attributes } from '../../contract/telemetry.js'
import { CONFLICT_VALUES_LISTED, type ReadingConflict, type ConflictingValue, type SentValue } from '../../contract/reading.js'
import type { Db } from './database.js'
import { GroupCommit, type CommitObserver } from './group-commit.js'
import type { CommitSync } from './wal-sync.js'
import { READINGS_PER_INSERT, ReadingInserts } from './reading-inserts.js'
import { ReadingStreams } from './reading-streams.js'
import { OutboxAppender } from '../outbox/outbox-appender.js'
import { Outbox } from '../outbox/outbox.js'

export interface SampleToStore {
  deviceId: string
  seq?: number | undefined
  /** `value` canonical; `sent` the value and unit as sent, only when the device gave a unit. */
  readings: { channel: ChannelName; ts: number; value: number; sent?: SentValue | undefined }[]
  /** The sample carried no device time: its readings' ts is the device's implicit clock (persisted per device). */
  implicit?: boolean | undefined
  /** Set when committing: the sample's seq repeats the last one of its epoch, so nothing of it was stored. */
  duplicateSeq?: boolean
}

export interface QuarantineRecord {
  deviceId: string | null
  topic: string
  code: string
  reason: string
  raw: Buffer
}

/** Attributes a device reported: merged into what it said before, in the message's transaction. */
export interface AttributeUpdate {
  deviceId: string
  attributes: Attributes
}

export interface IngestEntry {
  receivedAt: number
  samples: SampleToStore[]
  quarantine?: QuarantineRecord | undefined
  attributes?: readonly AttributeUpdate[] | undefined
}

/** A re-send that conflicted with a stored reading, as committed. */
export interface StoredConflict {
  deviceId: string
  channel: ChannelName
  ts: number
  /** The value this message sent. */
  value: number
  /** The reading as first stored (it stays the point). */
  first: ConflictingValue
  /** The other values kept for this point so far, in the order they arrived (this one included, if among the listed). */
  conflict: ReadingConflict
}

export interface IngestOutcome {
  stored: number
  duplicates: number
  conflicts: StoredConflict[]
  quarantineId?: number
}

export interface IngestLogOptions {
  /**
   * The outbox sinks that take stored points: for each, the points (device, device time) the
   * commit newly stored readings of are appended to the outbox in the same transaction (one
   * row per device and sink, gateway/outbox/outbox-appender.ts; none configured, none).
   * Conflicting values are not queued (docs/influx-schema.md).
   */
  outboxSinks?: readonly string[]
  /** Told of each group commit's outcome (health and metrics). */
  commitObserver?: CommitObserver
  /**
   * GW_SYNC=full: the group commit runs with synchronous=NORMAL and its entries resolve (are
   * acknowledged) only once this has flushed the WAL (wal-sync.ts), so the event loop does not
   * wait for the disk. The connection's own setting is restored after each commit, so other
   * writes on it keep flushing in their COMMIT. Without it the commit flushes as the connection says.
   */
  sync?: CommitSync
}

/** A stored value with its as-sent columns (both NULL for a plain number). */
export interface SentRow {
  value: number
  received_at: number
  sent_value: number | null
  sent_unit: string | null
}

/** The as-sent form of a row, or undefined when the device sent a plain number. */
export function sentOf(row: { sent_value: number | null; sent_unit: string | null }): SentValue | undefined {
  return row.sent_unit === null || row.sent_value === null ? undefined : { value: row.sent_value, unit: row.sent_unit }
}

function conflictingValue(row: SentRow): ConflictingValue {
  const sent = sentOf(row)
  return sent ? { value: row.value, receivedAt: row.received_at, sent } : { value: row.value, receivedAt: row.received_at }
}

interface DeviceState {
  implicitTs: number | null
  epoch: number
  lastSeq: number | null
}

interface StateRow {
  implicit_ts: number | null
  seq_epoch: number
  last_seq: number | null
}

export class IngestLog {
  private readonly group: GroupCommit<IngestEntry, IngestOutcome>
  /** Committed per-device state, read from the table once per device and process. */
  private readonly states = new Map<string, DeviceState>()
  private readonly selectState

  constructor(db: Db, opts: IngestLogOptions = {}) {
    const streams = new ReadingStreams(db)
    const insertReading = db.prepare<[number, number, number, number]>('INSERT OR IGNORE INTO reading_points (stream, ts, value, received_at) VALUES (?, ?, ?, ?)')
    const insertSent = db.prepare<[string, string, number, number, string]>('INSERT OR IGNORE INTO readings_sent (device_id, channel, ts, value, unit) VALUES (?, ?, ?, ?, ?)')
    const selectReading = db.prepare<[string, string, number], SentRow>(
      `SELECT r.value, r.received_at, s.value AS sent_value, s.unit AS sent_unit FROM readings r
       LEFT JOIN readings_sent s USING (device_id, channel, ts) WHERE r.device_id = ? AND r.channel = ? AND r.ts = ?`,
    )
    const insertConflict = db.prepare<[string, string, number, number, number, number | null, string | null]>(
      'INSERT OR IGNORE INTO readings_conflicts (device_id, channel, ts, value, received_at, sent_value, sent_unit) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    const selectConflicts = db.prepare<[string, string, number, number], SentRow>(
      'SELECT value, received_at, sent_value, sent_unit FROM readings_conflicts WHERE device_id = ? AND channel = ? AND ts = ? ORDER BY received_at, value LIMIT ?',
    )
    // One more than listed: tells whether there are more, without counting them all.
    const listConflicts = (deviceId: string, channel: string, ts: number): ReadingConflict => {
      const rows = selectConflicts.all(deviceId, channel, ts, CONFLICT_VALUES_LISTED + 1)
      const others = rows.slice(0, CONFLICT_VALUES_LISTED).map(conflictingValue)
      return rows.length > CONFLICT_VALUES_LISTED ? { others, truncated: true } : { others }
    }
    this.selectState = db.prepare<[string], StateRow>('SELECT implicit_ts, seq_epoch, last_seq FROM device_ingest_state WHERE device_id = ?')
    const upsertState = db.prepare<[string, number | null, number, number | null]>(
      `INSERT INTO device_ingest_state (device_id, implicit_ts, seq_epoch, last_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET implicit_ts = excluded.implicit_ts, seq_epoch = excluded.seq_epoch, last_seq = excluded.last_seq`,
    )
    const outbox = opts.outboxSinks && opts.outboxSinks.length > 0 ? new OutboxAppender(new Outbox(db), opts.outboxSinks) : undefined
    // A shallow merge ({...before, ...reported}: attribute values are scalars, never null, so
    // RFC 7396's merge patch is exactly that), in SQL: no read-back, nothing that can throw on
    // a damaged row (left as it is; the registry's read names it, gateway/devices/device-registry.ts).
    const mergeAttributes = db.prepare<[string, string]>(
      'UPDATE devices SET attributes = json_patch(attributes, ?) WHERE id = ? AND json_valid(attributes)',
    )
    const insertQuarantine = db.prepare(
      'INSERT INTO quarantine (device_id, topic, received_at, code, reason, raw) VALUES (?, ?, ?, ?, ?, ?)',
    )
    // The state changed by the transaction under way: written at its end, kept only if it commits.
    const changed = new Map<string, DeviceState>()
    const stateFor = (deviceId: string): DeviceState => {
      let s = changed.get(deviceId)
      if (!s) {
        s = { ...this.committedState(deviceId) }
        changed.set(deviceId, s)
      }
      return s
    }

    /** Claims the sample's seq; false if it repeats the last seq of the device's epoch. */
    const claimSeq = (deviceId: string, seq: number): boolean => {
      const current = changed.get(deviceId) ?? this.committedState(deviceId)
      if (current.lastSeq === seq) return false
      const s = stateFor(deviceId)
      if (s.lastSeq !== null && seq < s.lastSeq) s.epoch++
      s.lastSeq = seq
      return true
    }

    const multi = new ReadingInserts(db)
    type Reading = SampleToStore['readings'][number]
    /** A reading just inserted: counted, its as-sent form kept, queued for the sinks. */
    const storedNew = (outcome: IngestOutcome, deviceId: string, r: Reading, receivedAt: number): void => {
      outcome.stored++
      if (r.sent !== undefined) insertSent.run(deviceId, r.channel, r.ts, r.sent.value, r.sent.unit)
      // Only readings really inserted are queued for the sinks (never a duplicate).
      outbox?.mark(deviceId, r.ts, receivedAt)
    }
    /** One reading on its own: new, a duplicate, or a conflict kept beside the first value. */
    const storeSingle = (outcome: IngestOutcome, deviceId: string, r: Reading, receivedAt: number): void => {
      if (insertReading.run(streams.idOf(deviceId, r.channel), r.ts, r.value, receivedAt).changes === 1) return storedNew(outcome, deviceId, r, receivedAt)
      const first = selectReading.get(deviceId, r.channel, r.ts)!
      // Values are canonical doubles from the same conversion: equal means the same reading.
      if (first.value === r.value || insertConflict.run(deviceId, r.channel, r.ts, r.value, receivedAt, r.sent?.value ?? null, r.sent?.unit ?? null).changes === 0) {
        outcome.duplicates++
        return
      }
      outcome.conflicts.push({ deviceId, channel: r.channel, ts: r.ts, value: r.value, first: conflictingValue(first), conflict: listConflicts(deviceId, r.channel, r.ts) })
    }

    const storeOne = (entry: IngestEntry): IngestOutcome => {
      const outcome: IngestOutcome = { stored: 0, duplicates: 0, conflicts: [] }
      for (const sample of entry.samples) {
        if (sample.seq !== undefined && !claimSeq(sample.deviceId, sample.seq)) {
          sample.duplicateSeq = true
          outcome.duplicates += sample.readings.length
          continue
        }
        const rs = sample.readings
        // Runs of new readings in one statement each; one that meets a stored key goes through storeSingle.
        for (let k = 0; k < rs.length; ) {
          const n = Math.min(READINGS_PER_INSERT, rs.length - k)
          const inserted = n >= 2 ? multi.insertRun(streams, sample.deviceId, rs, k, n, entry.receivedAt) : 0
          for (let j = k; j < k + inserted; j++) storedNew(outcome, sample.deviceId, rs[j]!, entry.receivedAt)
          k += inserted
          if (inserted < n) storeSingle(outcome, sample.deviceId, rs[k++]!, entry.receivedAt)
        }
        if (sample.implicit && sample.readings.length > 0) {
          const s = stateFor(sample.deviceId)
          const ts = sample.readings[0]!.ts
          if (s.implicitTs === null || ts > s.implicitTs) s.implicitTs = ts
        }
      }
      if (entry.attributes) for (const a of entry.attributes) mergeAttributes.run(JSON.stringify(a.attributes), a.deviceId)
      const q = entry.quarantine
      if (q) {
        const info = insertQuarantine.run(q.deviceId, q.topic, entry.receivedAt, q.code, q.reason, q.raw)
        outcome.quarantineId = Number(info.lastInsertRowid)
      }
      return outcome
    }

    const commitBatch = db.transaction((entries: readonly IngestEntry[]) => {
      outbox?.begin()
      const outcomes = entries.map(storeOne)
      outbox?.end() // one row per device for the whole commit
      // One row per device per group commit, not per message.
      for (const [deviceId, s] of changed) upsertState.run(deviceId, s.implicitTs, s.epoch, s.lastSeq)
      return outcomes
    })
    // IMMEDIATE: the write lock first, then the outbox tail is read. A deferred transaction that
    // read first could not write after the forwarder thread's connection committed (SQLITE_BUSY).
    const sync = opts.sync
    // PRAGMA synchronous takes effect when the statement is compiled, not when it runs: exec() each time.
    let restore: string | undefined
    this.group = new GroupCommit(
      (entries) => {
        changed.clear() // left over only if the last transaction failed (and rolled back)
        if (sync) {
          // The connection's setting, read once: put back after each commit.
          restore ??= `PRAGMA synchronous = ${Number(db.pragma('synchronous', { simple: true }))}`
          db.exec('PRAGMA synchronous = NORMAL')
        }
        let outcomes: IngestOutcome[]
        try {
          outcomes = commitBatch.immediate(entries)
          streams.committed()
        } catch (err) {
          streams.rolledBack()
          throw err
        } finally {
          if (restore) db.exec(restore)
        }
        for (const [deviceId, s] of changed) this.states.set(deviceId, s)
        changed.clear()
        return outcomes
      },
      undefined,
      opts.commitObserver,
      sync,
    )
  }

  /**
   * The last device time given to a timestamp-less reading of this device (committed), to
   * seed the ingest's implicit clock after a restart.
   */
  lastImplicitTs(deviceId: string): number | undefined {
    return this.committedState(deviceId).implicitTs ?? undefined
  }

  /** Resolves once the entry is committed to disk. */
  append(entry: IngestEntry): Promise<IngestOutcome> {
    return this.group.submit(entry)
  }

  /** Commits anything queued; called on shutdown. */
  flush(): void {
    this.group.flush(true)
  }

  private committedState(deviceId: string): DeviceState {
    let s = this.states.get(deviceId)
    if (!s) {
      const row = this.selectState.get(deviceId)
      s = row ? { implicitTs: row.implicit_ts, epoch: row.seq_epoch, lastSeq: row.last_seq } : { implicitTs: null, epoch: 0, lastSeq: null }
      this.states.set(deviceId, s)
    }
    return s
  }
}
