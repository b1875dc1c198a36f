/**
 * An existing data dir still opens: the schema version (PRAGMA user_version) and the upgrade
 * from version 0 (seen_seq: every seq ever seen, which dropped all samples after a counter
 * restart) to per-device seq epochs.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { MIGRATIONS } from '../../gateway/store/migrations/index.js'
import { upgradeSchema } from '../../gateway/store/schema-upgrade.js'

/** The version this gateway's last migration records (gateway/store/migrations/): written out, not imported. */
const SCHEMA_VERSION_NOW = 11

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A data dir as the gateway at f51df5a left it: version 0, seen_seq, one reading. */
function oldDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upgrade-'))
  dirs.push(dir)
  const db = new Database(join(dir, 'gateway.db'))
  db.exec(`
    CREATE TABLE readings (device_id TEXT NOT NULL, channel TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (device_id, channel, ts)) WITHOUT ROWID;
    CREATE TABLE seen_seq (device_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (device_id, seq)) WITHOUT ROWID;
    INSERT INTO readings VALUES ('m-a', 'current_a', 1000, 5.5, 1100);
  `)
  const seen = db.prepare('INSERT INTO seen_seq VALUES (?, ?)')
  for (let seq = 1; seq <= 50; seq++) seen.run('m-a', seq)
  seen.run('m-b', 3)
  db.close()
  return dir
}

const sample = (seq: number, ts: number) => ({ receivedAt: ts + 10, samples: [{ deviceId: 'm-a', seq, readings: [{ channel: 'current_a' as const, ts, value: seq }] }] })

it('version 0 → 1: each device continues from its highest seq; readings kept; opening again changes nothing', async () => {
  const dir = oldDataDir()
  const db = openDatabase(dir, 'normal')
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION_NOW)
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'seen_seq'").get()).toBeUndefined()
  expect(db.prepare('SELECT device_id, seq_epoch, last_seq FROM device_ingest_state ORDER BY device_id').all()).toEqual([
    { device_id: 'm-a', seq_epoch: 0, last_seq: 50 },
    { device_id: 'm-b', seq_epoch: 0, last_seq: 3 },
  ])
  expect(db.prepare('SELECT * FROM readings').all()).toEqual([{ device_id: 'm-a', channel: 'current_a', ts: 1000, value: 5.5, received_at: 1100 }])

  const log = new IngestLog(db)
  const outcomes = [log.append(sample(50, 2000)), log.append(sample(51, 3000)), log.append(sample(2, 4000))]
  log.flush()
  expect((await Promise.all(outcomes)).map((o) => [o.stored, o.duplicates])).toEqual([[0, 1], [1, 0], [1, 0]])
  expect(db.prepare("SELECT seq_epoch, last_seq FROM device_ingest_state WHERE device_id = 'm-a'").get()).toEqual({ seq_epoch: 1, last_seq: 2 })
  db.close()

  const again = openDatabase(dir, 'normal')
  expect(again.prepare('SELECT COUNT(*) AS n FROM readings').get()).toEqual({ n: 3 })
  expect(again.prepare("SELECT seq_epoch, last_seq FROM device_ingest_state WHERE device_id = 'm-a'").get()).toEqual({ seq_epoch: 1, last_seq: 2 })
  again.close()
})

it('a database from a newer gateway is refused with a message saying so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upgrade-'))
  dirs.push(dir)
  const db = new Database(join(dir, 'gateway.db'))
  db.pragma('user_version = 99')
  db.close()
  expect(() => openDatabase(dir, 'normal')).toThrow(new RegExp(`schema version 99; this gateway knows up to ${SCHEMA_VERSION_NOW}`))
})

it('a data dir that may hold outbox rows of several points is refused by a gateway from before them (9 migrations)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upgrade-'))
  dirs.push(dir)
  const db = new Database(join(dir, 'gateway.db'))
  upgradeSchema(db, MIGRATIONS.slice(0, 10))
  try {
    // What the gateway before migration 10 ran at each open: its own list of migrations.
    expect(() => upgradeSchema(db, MIGRATIONS.slice(0, 9))).toThrow(/schema version 10; this gateway knows up to 9: run the newer gateway that wrote it/)
  } finally {
    db.close()
  }
})

/** A data dir as version 1 left it: readings and conflicts with the canonical value only. */
function version1DataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upgrade-'))
  dirs.push(dir)
  const db = new Database(join(dir, 'gateway.db'))
  db.exec(`
    CREATE TABLE readings (device_id TEXT NOT NULL, channel TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (device_id, channel, ts)) WITHOUT ROWID;
    CREATE TABLE readings_conflicts (device_id TEXT NOT NULL, channel TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (device_id, channel, ts, value)) WITHOUT ROWID;
    INSERT INTO readings VALUES ('m-a', 'pressure_low_kpag', 1000, 813.581326, 1100);
    INSERT INTO readings_conflicts VALUES ('m-a', 'pressure_low_kpag', 1000, 820, 1200);
    PRAGMA user_version = 1;
  `)
  db.close()
  return dir
}

it('version 1 → 2: readings_sent appears, conflicts gain the as-sent columns (NULL for old rows); new readings keep what was sent', async () => {
  const dir = version1DataDir()
  const db = openDatabase(dir, 'normal')
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION_NOW)
  expect(db.prepare('SELECT * FROM readings').all()).toEqual([{ device_id: 'm-a', channel: 'pressure_low_kpag', ts: 1000, value: 813.581326, received_at: 1100 }])
  expect(db.prepare('SELECT * FROM readings_sent').all()).toEqual([])
  expect(db.prepare('SELECT * FROM readings_conflicts').all()).toEqual([
    { device_id: 'm-a', channel: 'pressure_low_kpag', ts: 1000, value: 820, received_at: 1200, sent_value: null, sent_unit: null },
  ])
  const log = new IngestLog(db)
  const at = (ts: number, value: number, sent?: { value: number; unit: string }) => ({
    receivedAt: ts + 10,
    samples: [{ deviceId: 'm-a', readings: [{ channel: 'pressure_low_kpag' as const, ts, value, ...(sent ? { sent } : {}) }] }],
  })
  const outcomes = [log.append(at(2000, 689.4757, { value: 100, unit: 'psi' })), log.append(at(1000, 1000, { value: 1, unit: 'MPa' })), log.append(at(3000, 700))]
  log.flush()
  expect((await Promise.all(outcomes)).map((o) => [o.stored, o.conflicts.length])).toEqual([[1, 0], [0, 1], [1, 0]])
  db.close()

  const again = openDatabase(dir, 'normal')
  expect(again.prepare('SELECT ts, value FROM readings ORDER BY ts').all()).toEqual([
    { ts: 1000, value: 813.581326 },
    { ts: 2000, value: 689.4757 },
    { ts: 3000, value: 700 },
  ])
  expect(again.prepare('SELECT * FROM readings_sent').all()).toEqual([{ device_id: 'm-a', channel: 'pressure_low_kpag', ts: 2000, value: 100, unit: 'psi' }])
  expect(again.prepare('SELECT value, sent_value, sent_unit FROM readings_conflicts ORDER BY value').all()).toEqual([
    { value: 820, sent_value: null, sent_unit: null },
    { value: 1000, sent_value: 1, sent_unit: 'MPa' },
  ])
  again.close()
})

it('version 10 → 11: readings move to integer stream keys; every reading, as-sent value and conflict reads back the same; the ingest and INSERT INTO readings go on as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-upgrade-'))
  dirs.push(dir)
  const v10 = new Database(join(dir, 'gateway.db'))
  upgradeSchema(v10, MIGRATIONS.slice(0, 10))
  const insert = v10.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?)')
  const written: { device_id: string; channel: string; ts: number; value: number; received_at: number }[] = []
  for (const device of ['m-b', 'm-a', 'm-c'])
    for (const channel of ['voltage_v', 'current_a', 'pressure_low_kpag'])
      for (let i = 0; i < 50; i++) {
        const row = { device_id: device, channel, ts: 1000 + i * 1000, value: i + 0.25, received_at: 1100 + i * 1000 }
        insert.run(row.device_id, row.channel, row.ts, row.value, row.received_at)
        written.push(row)
      }
  v10.exec(`
    INSERT INTO readings_sent VALUES ('m-a', 'pressure_low_kpag', 2000, 1.5, 'bar');
    INSERT INTO readings_conflicts VALUES ('m-a', 'current_a', 1000, 9.5, 1200, NULL, NULL);
  `)
  v10.close()

  const db = openDatabase(dir, 'normal')
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION_NOW)
  const byKey = (a: { device_id: string; channel: string; ts: number }, b: typeof a) => a.device_id.localeCompare(b.device_id) || a.channel.localeCompare(b.channel) || a.ts - b.ts
  expect(db.prepare('SELECT * FROM readings ORDER BY device_id, channel, ts').all()).toEqual(written.sort(byKey))
  expect(db.prepare("SELECT type FROM sqlite_master WHERE name = 'readings'").pluck().get()).toBe('view')
  expect(db.prepare('SELECT count(*) FROM reading_streams').pluck().get()).toBe(9)
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'readings_before_streams'").get()).toBeUndefined()

  // The ingest meets the migrated keys: a re-send is a duplicate, another value a conflict, a new time stored.
  const log = new IngestLog(db)
  const one = (ts: number, value: number) => ({ receivedAt: 90_000, samples: [{ deviceId: 'm-a', readings: [{ channel: 'current_a' as const, ts, value }] }] })
  const outcomes = [log.append(one(1000, 0.25)), log.append(one(2000, 7)), log.append(one(60_000, 3))]
  log.flush()
  const [dup, conflict, fresh] = await Promise.all(outcomes)
  expect(dup).toMatchObject({ stored: 0, duplicates: 1, conflicts: [] })
  expect(conflict!.conflicts).toEqual([expect.objectContaining({ ts: 2000, value: 7, first: { value: 1.25, receivedAt: 2100 } })])
  expect(fresh).toMatchObject({ stored: 1, duplicates: 0 })
  // The migrated as-sent value is still joined to its reading, and the old conflict is still listed.
  expect(db.prepare(`SELECT r.value, s.value AS sent, s.unit FROM readings r JOIN readings_sent s USING (device_id, channel, ts)`).all()).toEqual([{ value: 1.25, sent: 1.5, unit: 'bar' }])
  expect(db.prepare("SELECT value FROM readings_conflicts WHERE device_id = 'm-a' AND ts = 1000").pluck().all()).toEqual([9.5])

  // INSERT INTO readings still stores a reading (a new stream or a known one) and still meets the key.
  db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?)').run('m-d', 'current_a', 5, 1, 6)
  db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?)').run('m-a', 'current_a', 70_000, 2, 70_001)
  expect(() => db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?)').run('m-a', 'current_a', 70_000, 3, 70_002)).toThrow(/UNIQUE constraint failed/)
  db.prepare('INSERT OR IGNORE INTO readings VALUES (?, ?, ?, ?, ?)').run('m-a', 'current_a', 70_000, 4, 70_003)
  expect(db.prepare("SELECT device_id, value FROM readings WHERE ts IN (5, 70000) ORDER BY ts").all()).toEqual([
    { device_id: 'm-d', value: 1 },
    { device_id: 'm-a', value: 2 },
  ])
  db.close()
})
