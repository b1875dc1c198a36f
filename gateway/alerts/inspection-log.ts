/**
 * The monthly inspections of maintained units (issue 11, DOMAIN.md T7): who inspected, who
 * signed, when, and what was checked. Seed §14 四.3: "月检:每月按期对客户的...设备进行一次检测",
 * checked "逐点、逐台" and recorded while checking; §14 四.1④: after routine checks "填写《维护
 * 登记表》,执行签字盖章手续" (fill in the maintenance register, sign and stamp). Append only: an
 * inspection record is never changed (T8/T9: records kept in full).
 */
import { z } from 'zod'

import type { Db } from '../store/database.js'
import { parseStoredJson } from '../store/stored-json.js'

export interface InspectionCheck {
  item: string
  ok: boolean
  note?: string
}

export interface Inspection {
  id: number
  deviceId: string
  /** When it was done, gateway ms. */
  at: number
  by: string
  signedBy: string
  checks: InspectionCheck[]
  notes: string
  recordedAt: number
}

const ChecksSchema = z.array(z.object({ item: z.string(), ok: z.boolean(), note: z.string().optional() }).strict())

interface Row {
  id: number
  device_id: string
  at: number
  by_whom: string
  signed_by: string
  checks: string
  notes: string
  recorded_at: number
}

export class InspectionLog {
  private readonly insert
  private readonly selectPage
  private readonly selectLast
  private readonly selectLastAll

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO unit_inspections (device_id, at, by_whom, signed_by, checks, notes, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    this.selectPage = db.prepare<[string, number, number, number, number], Row>(
      'SELECT * FROM unit_inspections WHERE device_id = ? AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?',
    )
    this.selectLast = db.prepare<[string], { at: number | null }>('SELECT MAX(at) AS at FROM unit_inspections WHERE device_id = ?')
    this.selectLastAll = db.prepare<[], { device_id: string; at: number }>('SELECT device_id, MAX(at) AS at FROM unit_inspections GROUP BY device_id')
  }

  record(i: Omit<Inspection, 'id'>): Inspection {
    const id = Number(this.insert.run(i.deviceId, i.at, i.by, i.signedBy, JSON.stringify(i.checks), i.notes, i.recordedAt).lastInsertRowid)
    return { id, ...i }
  }

  /** Newest first; `cursor` is the `next` of the previous page. */
  list(deviceId: string, limit: number, cursor?: string): { inspections: Inspection[]; next: string | null } {
    const c = cursor !== undefined ? decodeCursor(cursor) : { at: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER }
    const rows = this.selectPage.all(deviceId, c.at, c.at, c.id, limit + 1)
    const more = rows.length > limit
    const page = (more ? rows.slice(0, limit) : rows).map(fromRow)
    const last = page[page.length - 1]
    return { inspections: page, next: more && last ? encodeCursor(last.at, last.id) : null }
  }

  /** The latest inspection's time, or null. */
  lastAt(deviceId: string): number | null {
    return this.selectLast.get(deviceId)?.at ?? null
  }

  /** Every unit's latest inspection time (start-up: one query, not one per unit). */
  lastAtAll(): Map<string, number> {
    const out = new Map<string, number>()
    for (const r of this.selectLastAll.iterate()) out.set(r.device_id, r.at)
    return out
  }
}

/** Cursors are opaque to clients: "<at>:<id>" in base64url. */
const encodeCursor = (at: number, id: number): string => Buffer.from(`${at}:${id}`).toString('base64url')

/** A cursor that does not decode is refused by the route (isInspectionCursor). */
function decodeCursor(c: string): { at: number; id: number } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split(':').map(Number)
  return { at: at ?? NaN, id: id ?? NaN }
}

export const isInspectionCursor = (c: string): boolean => {
  const d = decodeCursor(c)
  return Number.isSafeInteger(d.at) && Number.isSafeInteger(d.id)
}

function fromRow(r: Row): Inspection {
  const checks = parseStoredJson(r.checks, 'unit_inspections', `id ${r.id} column checks`, ChecksSchema)
  return { id: r.id, deviceId: r.device_id, at: r.at, by: r.by_whom, signedBy: r.signed_by, checks: checks.map((c) => ({ item: c.item, ok: c.ok, ...(c.note !== undefined ? { note: c.note } : {}) })), notes: r.notes, recordedAt: r.recorded_at }
}
