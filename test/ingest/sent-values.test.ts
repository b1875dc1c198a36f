/**
 * The as-sent value and unit through the ingest log and the SQLite reading store (real
 * SQLite in a temp dir): kept beside the canonical value, read back only when asked (the
 * readings API asks; the verdict's job cache does not, so a meter that always sends psi
 * costs it nothing per reading).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { parseTelemetry } from '../../gateway/ingest/parse-telemetry.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
let dir: string
let db: Db
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-sent-'))
  db = openDatabase(dir, 'normal')
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const ctx = { implicitTs: T0, minTs: 0, maxTs: T0 + 86_400_000 }

async function ingest(log: IngestLog, json: unknown, receivedAt: number) {
  const parsed = parseTelemetry(json, ctx)
  expect(parsed.problems.total).toBe(0)
  const p = log.append({ receivedAt, samples: parsed.samples.map((s) => ({ deviceId: 'm-1', seq: s.seq, readings: s.readings })) })
  log.flush()
  return p
}

it('parse: a unit value carries what was sent, verbatim; a plain number carries nothing', () => {
  const { samples } = parseTelemetry({ ts: T0, values: { pressure_low_kpag: { value: 118, unit: ' PSI ' }, current_a: 5.2 } }, ctx)
  const [low, amps] = samples[0]!.readings
  expect(low).toEqual({ channel: 'pressure_low_kpag', ts: T0, value: 118 * 6.894757, sent: { value: 118, unit: ' PSI ' } })
  expect(amps).toEqual({ channel: 'current_a', ts: T0, value: 5.2 })
  expect('sent' in amps!).toBe(false)
})

it('the store gives the as-sent form only with withSent, for readings and their conflicts', async () => {
  const log = new IngestLog(db)
  const store = new SqliteReadingStore(db)
  await ingest(log, [{ ts: T0, values: { pressure_low_kpag: { value: 118, unit: 'psi' } } }, { ts: T0 + 1000, values: { pressure_low_kpag: 815 } }], T0 + 10)
  const conflict = await ingest(log, { ts: T0, values: { pressure_low_kpag: { value: 8, unit: 'bar' } } }, T0 + 20)
  expect(conflict.conflicts).toHaveLength(1)
  // What the ingest hands the live verdict: the first value and the conflicting one, each as sent.
  expect(conflict.conflicts[0]!.first).toEqual({ value: 118 * 6.894757, receivedAt: T0 + 10, sent: { value: 118, unit: 'psi' } })
  expect(conflict.conflicts[0]!.conflict.others).toEqual([{ value: 800, receivedAt: T0 + 20, sent: { value: 8, unit: 'bar' } }])

  const q = { deviceIds: ['m-1'], channel: 'pressure_low_kpag' as const, from: T0, to: T0 + 1000 }
  const lean = await store.query(q)
  expect(lean.map((r) => 'sent' in r)).toEqual([false, false])
  expect(lean[0]!.conflict!.others).toEqual([{ value: 800, receivedAt: T0 + 20 }])

  const full = await store.query({ ...q, withSent: true })
  expect(full[0]).toMatchObject({ ts: T0, value: 118 * 6.894757, sent: { value: 118, unit: 'psi' } })
  expect(full[0]!.conflict!.others).toEqual([{ value: 800, receivedAt: T0 + 20, sent: { value: 8, unit: 'bar' } }])
  expect(full[1]).toEqual({ deviceId: 'm-1', channel: 'pressure_low_kpag', ts: T0 + 1000, value: 815, receivedAt: T0 + 10 })
})
