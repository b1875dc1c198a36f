/**
 * The per-device state of the ingest log (seq epochs, the implicit clock's last time) follows
 * the transactions: a group commit that fails and rolls back leaves it as it was, so the
 * retried sample is not taken for a duplicate of one that was never stored.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog, type IngestEntry } from '../../gateway/store/ingest-log.js'

let dir: string
let db: Db
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const T = Date.UTC(2026, 10, 27, 8, 0, 0)
const entry = (seq: number | undefined, ts: number, value: number, implicit = false): IngestEntry => ({
  receivedAt: T,
  samples: [{ deviceId: 'm-1', seq, implicit, readings: [{ channel: 'current_a', ts, value }] }],
})

async function commit(log: IngestLog, e: IngestEntry) {
  const p = log.append(e)
  log.flush()
  return p
}

it('a rolled-back commit claims no seq and moves no implicit time', async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-state-'))
  db = openDatabase(dir, 'normal')
  // A reading the database refuses: the whole group commit fails, as with a full disk.
  db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON reading_points WHEN NEW.value = 66.6 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
  const log = new IngestLog(db)
  expect((await commit(log, entry(5, T, 1))).stored).toBe(1)
  expect((await commit(log, entry(undefined, T + 10, 2, true))).stored).toBe(1)

  const failing = [log.append(entry(6, T + 1, 3)), log.append(entry(undefined, T + 20, 4, true)), log.append(entry(7, T + 2, 66.6))]
  log.flush()
  for (const p of failing) await expect(p).rejects.toThrow(/refused by the test/)
  expect(log.lastImplicitTs('m-1')).toBe(T + 10)

  expect((await commit(log, entry(6, T + 1, 3))).stored).toBe(1) // the retry is stored, not a duplicate
  expect((await commit(log, entry(6, T + 3, 3))).duplicates).toBe(1) // and now it is claimed
  expect(db.prepare("SELECT seq_epoch, last_seq, implicit_ts FROM device_ingest_state WHERE device_id = 'm-1'").get()).toEqual({ seq_epoch: 0, last_seq: 6, implicit_ts: T + 10 })
})

it('a rolled-back commit that added a stream leaves no stale stream id: the next device to get one keeps its own readings', async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-state-'))
  db = openDatabase(dir, 'normal')
  db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON reading_points WHEN NEW.value = 66.6 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
  const log = new IngestLog(db)
  const first = (deviceId: string, value: number): IngestEntry => ({
    receivedAt: T,
    samples: [{ deviceId, readings: [{ channel: 'current_a', ts: T, value }, { channel: 'voltage_v', ts: T, value: value + 1 }] }],
  })
  // m-new's streams are added in the commit that fails, so they are rolled back with it …
  await expect(commit(log, first('m-new', 66.6))).rejects.toThrow(/refused by the test/)
  // … and SQLite hands the same ids to the next device's streams.
  expect((await commit(log, first('m-other', 5))).stored).toBe(2)
  expect((await commit(log, first('m-new', 7))).stored).toBe(2)
  const rows = db.prepare('SELECT device_id, channel, value FROM readings ORDER BY device_id, channel').all()
  expect(rows).toEqual([
    { device_id: 'm-new', channel: 'current_a', value: 7 },
    { device_id: 'm-new', channel: 'voltage_v', value: 8 },
    { device_id: 'm-other', channel: 'current_a', value: 5 },
    { device_id: 'm-other', channel: 'voltage_v', value: 6 },
  ])
})
