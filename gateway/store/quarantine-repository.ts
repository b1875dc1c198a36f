/**
 * Reads back quarantined messages (written by the ingest log) for review. A listing page is
 * bounded in rows and in bytes: a payload is shown up to RAW_PREVIEW_BYTES (the whole one is
 * at /quarantine/:id/raw) and a reason up to REASON_PREVIEW_CHARS (reasons written before
 * they were capped could be megabytes), so a page of the default size cannot reach the
 * 101 MB a listing used to return (issue 8).
 */
import type { Db } from './database.js'

export const QUARANTINE_PAGE = {
  defaultLimit: 100,
  maxLimit: 1000,
  /** A page stops before the row that would take its JSON past this; `next` continues. */
  maxBytes: 1024 * 1024,
  rawPreviewBytes: 4096,
  reasonPreviewChars: 8192,
} as const

export interface QuarantineItem {
  id: number
  deviceId: string | null
  topic: string
  receivedAt: number
  code: string
  reason: string
  reasonTruncated: boolean
  /** The payload as received, or its first rawPreviewBytes: UTF-8 text when it is valid UTF-8, else base64. */
  raw: string
  rawEncoding: 'utf8' | 'base64'
  /** The whole payload's size. */
  rawBytes: number
  rawTruncated: boolean
}

export interface QuarantinePage {
  items: QuarantineItem[]
  /** The cursor of the next page (pass it as `before`, or as `after` when paging with after), or null at the end. */
  next: number | null
}

export interface QuarantineQuery {
  deviceId?: string | undefined
  /** Newest first, ids below this. */
  before?: number | undefined
  /** Oldest first, ids above this (follow new arrivals). */
  after?: number | undefined
  limit: number
  maxBytes?: number
}

interface Row {
  id: number
  device_id: string | null
  topic: string
  received_at: number
  code: string
  reason: string
  reason_chars: number
  raw: Buffer
  raw_bytes: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

const COLUMNS = `id, device_id, topic, received_at, code, substr(reason, 1, ${QUARANTINE_PAGE.reasonPreviewChars}) AS reason,
  length(reason) AS reason_chars, substr(raw, 1, ${QUARANTINE_PAGE.rawPreviewBytes}) AS raw, length(raw) AS raw_bytes`

export class QuarantineRepository {
  private readonly newestFirst
  private readonly oldestFirst
  private readonly rawOf
  private readonly countAll

  constructor(db: Db) {
    this.newestFirst = db.prepare<[string | null, string | null, number, number], Row>(
      `SELECT ${COLUMNS} FROM quarantine WHERE (? IS NULL OR device_id = ?) AND id < ? ORDER BY id DESC LIMIT ?`,
    )
    this.oldestFirst = db.prepare<[string | null, string | null, number, number], Row>(
      `SELECT ${COLUMNS} FROM quarantine WHERE (? IS NULL OR device_id = ?) AND id > ? ORDER BY id ASC LIMIT ?`,
    )
    this.rawOf = db.prepare<[number], { raw: Buffer }>('SELECT raw FROM quarantine WHERE id = ?')
    this.countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM quarantine')
  }

  /** One page: at most `limit` rows and about `maxBytes` of JSON (always at least one row). */
  list(q: QuarantineQuery): QuarantinePage {
    const device = q.deviceId ?? null
    const maxBytes = q.maxBytes ?? QUARANTINE_PAGE.maxBytes
    // One row more than the limit tells whether there is a next page.
    const rows =
      q.after !== undefined
        ? this.oldestFirst.iterate(device, device, q.after, q.limit + 1)
        : this.newestFirst.iterate(device, device, q.before ?? Number.MAX_SAFE_INTEGER, q.limit + 1)
    const items: QuarantineItem[] = []
    let bytes = 0
    let next: number | null = null
    for (const row of rows) {
      const item = toItem(row)
      const size = Buffer.byteLength(JSON.stringify(item)) + 1
      if (items.length === q.limit || (items.length > 0 && bytes + size > maxBytes)) {
        next = items[items.length - 1]!.id
        break // leaving the loop ends the iterator (and its statement)
      }
      items.push(item)
      bytes += size
    }
    return { items, next }
  }

  /** The whole payload as received, or undefined when there is no such record (or it was pruned). */
  raw(id: number): Buffer | undefined {
    return this.rawOf.get(id)?.raw
  }

  count(): number {
    return this.countAll.get()!.n
  }
}

function toItem(r: Row): QuarantineItem {
  const rawTruncated = r.raw_bytes > r.raw.length
  const { text, encoding } = decodePreview(r.raw, rawTruncated)
  return {
    id: r.id,
    deviceId: r.device_id,
    topic: r.topic,
    receivedAt: r.received_at,
    code: r.code,
    reason: r.reason,
    reasonTruncated: r.reason_chars > QUARANTINE_PAGE.reasonPreviewChars,
    raw: text,
    rawEncoding: encoding,
    rawBytes: r.raw_bytes,
    rawTruncated,
  }
}

/** UTF-8 text if it is; a preview cut inside a character is cut back to the last whole one. */
function decodePreview(raw: Buffer, truncated: boolean): { text: string; encoding: 'utf8' | 'base64' } {
  // A UTF-8 character is at most 4 bytes: at most 3 of a cut one remain at the end.
  for (let drop = 0; drop <= (truncated ? 3 : 0) && drop < raw.length; drop++) {
    try {
      return { text: utf8.decode(raw.subarray(0, raw.length - drop)), encoding: 'utf8' }
    } catch {
      // not (yet) valid UTF-8
    }
  }
  if (raw.length === 0) return { text: '', encoding: 'utf8' }
  return { text: raw.toString('base64'), encoding: 'base64' }
}
