/**
 * The ingest's stream ids (reading_streams, migration 11): one integer per device and channel,
 * the first part of every reading's key. Known ids are kept in memory, bounded by devices ×
 * channels, both registered or validated (10,000 devices × 8 channels: 3.4 MB of heap, measured
 * with node --expose-gc). An unknown one is looked up, or added in the transaction under way;
 * one added by a transaction that then rolls back is forgotten, since SQLite may give that id
 * to another stream later.
 */
import type { Db } from './db.js'

export class ReadingStreams {
  private readonly ids = new Map<string, Map<string, number>>()
  /** Added by the transaction under way: forgotten if it rolls back. */
  private added: [deviceId: string, channel: string][] = []
  private readonly select
  private readonly insert

  constructor(db: Db) {
    this.select = db.prepare<[string, string], number>('SELECT id FROM reading_streams WHERE device_id = ? AND channel = ?').pluck()
    this.insert = db.prepare<[string, string]>('INSERT INTO reading_streams (device_id, channel) VALUES (?, ?)')
  }

  /** The stream of the device's channel; adds it (in the caller's transaction) if it is new. */
  idOf(deviceId: string, channel: string): number {
    let byChannel = this.ids.get(deviceId)
    const known = byChannel?.get(channel)
    if (known !== undefined) return known
    let id = this.select.get(deviceId, channel)
    if (id === undefined) {
      id = Number(this.insert.run(deviceId, channel).lastInsertRowid)
      this.added.push([deviceId, channel])
    }
    if (!byChannel) this.ids.set(deviceId, (byChannel = new Map()))
    byChannel.set(channel, id)
    return id
  }

  /** The transaction committed: what it added is kept. */
  committed(): void {
    this.added = []
  }

  /** The transaction rolled back: what it added is gone. */
  rolledBack(): void {
    for (const [deviceId, channel] of this.added) this.ids.get(deviceId)?.delete(channel)
    this.added = []
  }
}
