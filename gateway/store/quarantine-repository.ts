/** Reads back quarantined messages (written by the ingest log) for review. */
import type { Db } from './database.js'

export interface QuarantineItem {
  id: number
  deviceId: string | null
  topic: string
  receivedAt: number
  code: string
  reason: string
  /** The payload as received: UTF-8 text when it is valid UTF-8, else base64. */
  raw: string
  rawEncoding: 'utf8' | 'base64'
}

interface Row {
  id: number
  device_id: string | null
  topic: string
  received_at: number
  code: string
  reason: string
  raw: Buffer
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class QuarantineRepository {
  private readonly select
  private readonly countAll

  constructor(db: Db) {
    this.select = db.prepare<[string | null, string | null, number, number], Row>(
      'SELECT * FROM quarantine WHERE (? IS NULL OR device_id = ?) AND id < ? ORDER BY id DESC LIMIT ?',
    )
    this.countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM quarantine')
  }

  /** Newest first; page with `before` = the smallest id seen. */
  list(q: { deviceId?: string | undefined; before?: number | undefined; limit: number }): QuarantineItem[] {
    const device = q.deviceId ?? null
    return this.select.all(device, device, q.before ?? Number.MAX_SAFE_INTEGER, q.limit).map(toItem)
  }

  count(): number {
    return this.countAll.get()!.n
  }
}

function toItem(r: Row): QuarantineItem {
  let raw: string
  let rawEncoding: 'utf8' | 'base64' = 'utf8'
  try {
    raw = utf8.decode(r.raw)
  } catch {
    raw = r.raw.toString('base64')
    rawEncoding = 'base64'
  }
  return { id: r.id, deviceId: r.device_id, topic: r.topic, receivedAt: r.received_at, code: r.code, reason: r.reason, raw, rawEncoding }
}
