/**
 * The durable ingest log: each accepted message's readings, seq claims and quarantine
 * record are committed together (group commit) before the message is acknowledged.
 * Writes are idempotent: a reading already stored (same device, channel, device time)
 * and a sample whose seq was seen are counted as duplicates, never stored twice.
 */
import type { ChannelName } from '../contract/channels.js'
import type { Db } from './database.js'
import { GroupCommit, type CommitObserver } from './group-commit.js'
import { OutboxAppender } from './influx-outbox.js'

export interface SampleToStore {
  deviceId: string
  seq?: number | undefined
  readings: { channel: ChannelName; ts: number; value: number }[]
  /** Set when committing: the sample's seq had been seen, so nothing of it was stored. */
  duplicateSeq?: boolean
}

export interface QuarantineRecord {
  deviceId: string | null
  topic: string
  code: string
  reason: string
  raw: Buffer
}

export interface IngestEntry {
  receivedAt: number
  samples: SampleToStore[]
  quarantine?: QuarantineRecord | undefined
}

export interface IngestOutcome {
  stored: number
  duplicates: number
  quarantineId?: number
}

export interface IngestLogOptions {
  /**
   * Also queue the points (device, device time) the message newly stored readings of in the
   * InfluxDB outbox, in the same transaction (only when InfluxDB is configured: it costs one
   * small insert per sample).
   */
  influxOutbox?: boolean
  /** Told of each group commit's outcome (health and metrics). */
  commitObserver?: CommitObserver
}

export class IngestLog {
  private readonly group: GroupCommit<IngestEntry, IngestOutcome>

  constructor(db: Db, opts: IngestLogOptions = {}) {
    const insertReading = db.prepare(
      'INSERT OR IGNORE INTO readings (device_id, channel, ts, value, received_at) VALUES (?, ?, ?, ?, ?)',
    )
    const outbox = opts.influxOutbox ? new OutboxAppender(db) : undefined
    const claimSeq = db.prepare('INSERT OR IGNORE INTO seen_seq (device_id, seq) VALUES (?, ?)')
    const insertQuarantine = db.prepare(
      'INSERT INTO quarantine (device_id, topic, received_at, code, reason, raw) VALUES (?, ?, ?, ?, ?, ?)',
    )

    const storeOne = (entry: IngestEntry): IngestOutcome => {
      const outcome: IngestOutcome = { stored: 0, duplicates: 0 }
      for (const sample of entry.samples) {
        if (sample.seq !== undefined && claimSeq.run(sample.deviceId, sample.seq).changes === 0) {
          sample.duplicateSeq = true
          outcome.duplicates += sample.readings.length
          continue
        }
        for (const r of sample.readings) {
          if (insertReading.run(sample.deviceId, r.channel, r.ts, r.value, entry.receivedAt).changes === 1) {
            outcome.stored++
            // With InfluxDB configured: only readings really inserted go out (never a duplicate).
            outbox?.mark(sample.deviceId, r.ts, entry.receivedAt)
          } else outcome.duplicates++
        }
      }
      outbox?.end()
      const q = entry.quarantine
      if (q) {
        const info = insertQuarantine.run(q.deviceId, q.topic, entry.receivedAt, q.code, q.reason, q.raw)
        outcome.quarantineId = Number(info.lastInsertRowid)
      }
      return outcome
    }

    const commitBatch = db.transaction((entries: readonly IngestEntry[]) => {
      outbox?.begin()
      return entries.map(storeOne)
    })
    // IMMEDIATE: the write lock first, then the outbox tail is read. A deferred transaction that
    // read first could not write after the forwarder thread's connection committed (SQLITE_BUSY).
    this.group = new GroupCommit((entries) => commitBatch.immediate(entries), undefined, opts.commitObserver)
  }

  /** Resolves once the entry is committed to disk. */
  append(entry: IngestEntry): Promise<IngestOutcome> {
    return this.group.submit(entry)
  }

  /** Commits anything queued; called on shutdown. */
  flush(): void {
    this.group.flush()
  }
}
