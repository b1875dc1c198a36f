/**
 * The audit trail as a durable log: a consumer sees each committed change once, a crash before
 * it advanced hands the same changes on again, and a new consumer starts at the trail's end.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { reduceAlert, type AlertContext } from '../../gateway/alerts/alert-lifecycle.js'
import { AlertStore } from '../../gateway/alerts/alert-store.js'
import { AuditFeed } from '../../gateway/alerts/audit-feed.js'
import { changeEventOf } from '../../gateway/alerts/deliveries/delivery-messages.js'
import { openDatabase } from '../../gateway/store/database.js'
import type { Db } from '../../gateway/store/db.js'
import type { FaultTransition } from '../../rules/faults/fault-transition.js'
import { faults } from '../rules/faults/faults-fixture.js'

const D = faults().deadlines
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0)
let n = 0
const ctx: AlertContext = { deadlines: D, newId: () => `a${++n}`, chainFor: () => ['north'] }
const tr = (deviceId: string): FaultTransition => ({
  kind: 'raise', deviceId, fault: 'leakage', severity: 'critical', at: T0, value: 12, peak: 12, unit: 'mA', limit: 10,
  count: 1, since: T0, clause: 'faults.leakage', source: 'test', message: 'leakage 12 mA',
})

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function open(dir?: string): { db: Db; store: AlertStore; dir: string } {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'gw-feed-'))
  if (!dir) dirs.push(d)
  const db = openDatabase(d, 'normal')
  return { db, store: new AlertStore(db, () => D), dir: d }
}

function raise(store: AlertStore, deviceId: string): void {
  const r = reduceAlert(null, { kind: 'fault', transition: tr(deviceId) }, ctx)
  if (!r.ok) throw new Error(r.error.message)
  store.commit({ states: [], alerts: [r.alert], audit: r.audit.map((entry) => ({ entry, team: 'north' })), callbacks: [] })
}

describe('audit feed', () => {
  it('a new consumer starts at the end of the trail, then sees each later change with its alert', () => {
    const { db, store } = open()
    raise(store, 'unit-1')
    const feed = new AuditFeed(db, store, 'deliveries')
    expect(feed.next(10)).toEqual([])
    raise(store, 'unit-2')
    raise(store, 'unit-3')
    const got = feed.next(10)
    expect(got.map((c) => [c.entry.action, c.alert?.deviceId, c.problem])).toEqual([
      ['raise', 'unit-2', null],
      ['raise', 'unit-3', null],
    ])
    expect(feed.next(1)).toHaveLength(1)
    db.close()
  })

  it('what was read but not advanced is handed on again after a restart; what was advanced is not', () => {
    const { db, store, dir } = open()
    const feed = new AuditFeed(db, store, 'deliveries')
    void feed.cursor
    raise(store, 'unit-1')
    raise(store, 'unit-2')
    const [first] = feed.next(10)
    db.transaction(() => feed.advance(first!.entry.seq))()
    db.close() // "crash" before unit-2's change was handed on

    const again = open(dir)
    const after = new AuditFeed(again.db, again.store, 'deliveries')
    expect(after.next(10).map((c) => c.alert?.deviceId)).toEqual(['unit-2'])
    // Another consumer has its own cursor, created now at the end.
    expect(new AuditFeed(again.db, again.store, 'influx-alerts').next(10)).toEqual([])
    again.db.close()
  })

  it('an entry whose alert cannot be read is handed on with the reason, not skipped', () => {
    const { db, store } = open()
    const feed = new AuditFeed(db, store, 'deliveries')
    void feed.cursor
    raise(store, 'unit-1')
    db.prepare("UPDATE alerts SET record = '{' WHERE device_id = 'unit-1'").run()
    const [c] = feed.next(10)
    expect(c!.alert).toBeNull()
    expect(c!.problem).toMatch(/alerts.*record/)
    expect(c!.entry.action).toBe('raise')
    // What the row's columns still say, for the deliveries and the SSE stream to tell.
    expect(c!.columns).toEqual({ deviceId: 'unit-1', fault: 'leakage', severity: 'critical' })
    expect(changeEventOf(c!)).toMatchObject({ kind: 'raised', deviceId: 'unit-1', fault: 'leakage', severity: 'critical' })
    db.close()
  })
})

describe('audit feed and a failed transaction', () => {
  it('an advance rolled back with its transaction is not taken for done: the entries come again', () => {
    const { db, store } = open()
    const feed = new AuditFeed(db, store, 'deliveries')
    void feed.cursor
    raise(store, 'unit-1')
    const [c] = feed.next(10)
    expect(() =>
      db.transaction(() => {
        feed.advance(c!.entry.seq)
        throw new Error('the outbox append failed')
      })(),
    ).toThrow('the outbox append failed')
    expect(feed.next(10).map((x) => x.alert?.deviceId)).toEqual(['unit-1'])
    db.close()
  })
})

describe('a damaged audit entry', () => {
  it('is handed on as a stand-in that says so, and the entries behind it still come', () => {
    const { db, store } = open()
    const feed = new AuditFeed(db, store, 'deliveries')
    void feed.cursor
    raise(store, 'unit-1')
    raise(store, 'unit-2')
    const first = (db.prepare('SELECT min(seq) AS s FROM alert_audit').get() as { s: number }).s
    db.prepare("UPDATE alert_audit SET entry = '{\"action\": 5}' WHERE seq = ?").run(first)
    const got = feed.next(10)
    expect(got.map((c) => [c.entry.seq, c.entry.action, c.entry.to, c.alert?.deviceId, c.entry.damaged !== undefined])).toEqual([
      [first, 'update', 'active', 'unit-1', true],
      [first + 1, 'raise', 'active', 'unit-2', false],
    ])
    expect(got[0]!.entry.note).toMatch(/^this audit entry cannot be read: .*alert_audit.*seq/)
    expect(store.audit(got[0]!.entry.alertId)[0]!.damaged).toBeDefined()
    db.close()
  })
})
