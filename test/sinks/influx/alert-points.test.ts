/**
 * Alert changes to InfluxDB (issue 11): the relay reads the audit trail into sink
 * 'influx-alerts' (one transaction per batch with its cursor), the forwarder writes each
 * change as one `alert` point into a real influxd. Real SQLite, real AlertStore, real influxd;
 * the alerts are made by the real lifecycle reducer.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { reduceAlert, type Alert, type AlertCommand, type AlertContext } from '../../../gateway/alerts/alert-lifecycle.js'
import { ALERT_POINTS_CONSUMER, AlertPointsRelay } from '../../../gateway/alerts/alert-points-relay.js'
import { AlertStore } from '../../../gateway/alerts/alert-store.js'
import { ManualClock } from '../../../gateway/clock.js'
import type { InfluxConfig } from '../../../gateway/config.js'
import type { Log } from '../../../gateway/log.js'
import { NEVER, Outbox } from '../../../gateway/outbox/outbox.js'
import { InfluxForwarder } from '../../../gateway/sinks/influx/forwarder.js'
import { InfluxConnection } from '../../../gateway/sinks/influx/influx-client.js'
import { INFLUX_ALERT_SINK } from '../../../gateway/sinks/influx/influx-outbox.js'
import { openDatabase, type Db } from '../../../gateway/store/database.js'
import type { FaultTransition } from '../../../rules/faults/fault-transition.js'
import { faults } from '../../rules/faults/faults-fixture.js'
import { influxRows, startInfluxServer, type InfluxServer } from '../../helpers/influx-server.js'

const D = faults().deadlines
const T0 = Date.UTC(2026, 10, 28, 8, 0, 0)
const MIN = 60_000
let n = 0
const ctx: AlertContext = { deadlines: D, newId: () => `alert-${++n}`, chainFor: () => ['north', 'supervisors'] }
const fault = (kind: 'raise' | 'update', deviceId: string, at: number, value: number, count: number): AlertCommand => ({
  kind: 'fault',
  transition: {
    kind, deviceId, fault: 'leakage', severity: 'critical', at, value, peak: value, unit: 'mA', limit: 3.5,
    count, since: T0, clause: 'faults.leakage', source: 'test', message: `leakage ${value} mA`,
  } satisfies FaultTransition,
})

let server: InfluxServer
let dbCount = 0
const dirs: string[] = []
beforeAll(async () => {
  server = await startInfluxServer()
}, 30_000)
afterAll(async () => {
  await server?.close()
})
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

interface Site {
  db: Db
  store: AlertStore
  dir: string
  clock: ManualClock
  logged: { level: string; msg: string }[]
  log: Log
  relay(sinks?: readonly string[]): AlertPointsRelay
  /** Applies a command to the alert and commits it as the alerts module does (one transaction). */
  apply(current: Alert | null, cmd: AlertCommand): Alert
}

function site(dir?: string): Site {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'gw-alert-points-'))
  if (!dir) dirs.push(d)
  const db = openDatabase(d, 'normal')
  const store = new AlertStore(db, () => D)
  const clock = new ManualClock(T0)
  const logged: { level: string; msg: string }[] = []
  const log: Log = (level, msg) => void logged.push({ level, msg })
  return {
    db, store, dir: d, clock, logged, log,
    relay: (sinks = [INFLUX_ALERT_SINK]) => new AlertPointsRelay({ db, store, sinks, clock, log }),
    apply(current, cmd) {
      const r = reduceAlert(current, cmd, ctx)
      if (!r.ok) throw new Error(r.error.message)
      store.commit({ states: [], alerts: [r.alert], audit: r.audit.map((entry) => ({ entry, team: r.alert.chain[r.alert.teamIndex] ?? 'unassigned' })), callbacks: [] })
      return r.alert
    },
  }
}

function forwarder(s: Site): { forwarder: InfluxForwarder; database: string } {
  const database = `hvac_alert_${++dbCount}`
  const config: InfluxConfig = { url: server.url, username: undefined, password: undefined, database, batchPoints: 5000, inServiceRetention: '400d' }
  return { forwarder: new InfluxForwarder({ db: s.db, sink: new InfluxConnection(config), clock: s.clock, log: s.log, batchPoints: 5000 }), database }
}

const alertPoints = (database: string) => influxRows(server.url, 'SELECT * FROM "in_service"."alert" ORDER BY time', database)
const queued = (db: Db) => db.prepare<[string], { id: number; key: string; at: number; next_at: number; last_error: string | null }>('SELECT id, key, at, next_at, last_error FROM outbox WHERE sink = ? ORDER BY id').all(INFLUX_ALERT_SINK)
const cursor = (db: Db) => db.prepare<[string], { seq: number }>('SELECT seq FROM audit_cursors WHERE consumer = ?').get(ALERT_POINTS_CONSUMER)?.seq

describe('alert points relay', () => {
  it('one outbox row per audit entry, appended with the cursor; a second run appends nothing', () => {
    const s = site()
    const relay = s.relay()
    relay.start() // cursor at the trail's end (empty)
    let a = s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    a = s.apply(a, fault('update', 'unit-1', T0 + MIN, 5.1, 2))
    s.apply(a, { kind: 'acknowledge', by: 'ana', at: T0 + 2 * MIN })
    expect(relay.run()).toBe(true)
    expect(queued(s.db).map((r) => [r.key, r.at, r.next_at < NEVER])).toEqual([
      ['alert-' + String(n), T0, true],
      ['alert-' + String(n), T0 + MIN, true],
      ['alert-' + String(n), T0 + 2 * MIN, true],
    ])
    expect(cursor(s.db)).toBe(3)
    relay.run()
    expect(queued(s.db)).toHaveLength(3)
    relay.stop()
    s.db.close()
  })

  it('without sinks (InfluxDB not configured) it queues nothing and makes no cursor', () => {
    const s = site()
    const relay = s.relay([])
    relay.start()
    s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    relay.run()
    relay.stop()
    expect(s.db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 })
    expect(cursor(s.db)).toBeUndefined()
    s.db.close()
  })

  it('a restart between the alert commit and the relay (cursor behind): the next start relays it, once', () => {
    const s = site()
    const relay = s.relay()
    relay.start()
    s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    relay.run()
    // Committed, then the process dies before any relay ran: the bus event is lost with it.
    s.apply(null, fault('raise', 'unit-2', T0 + MIN, 6, 1))
    s.db.close()

    const again = site(s.dir)
    const after = again.relay()
    after.start()
    after.stop()
    expect(queued(again.db).map((r) => r.at)).toEqual([T0, T0 + MIN])
    // And a third start relays nothing more.
    again.db.close()
    const third = site(s.dir)
    third.relay().start()
    expect(queued(third.db)).toHaveLength(2)
    third.db.close()
  })

  it('a change whose alert record cannot be read is queued parked with the reason, and logged; the others go on', () => {
    const s = site()
    const relay = s.relay()
    relay.start()
    s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    s.db.prepare("UPDATE alerts SET record = '{' WHERE device_id = 'unit-1'").run()
    s.apply(null, fault('raise', 'unit-2', T0 + MIN, 6, 1))
    relay.run()
    const rows = queued(s.db)
    expect(rows.map((r) => r.next_at === NEVER)).toEqual([true, false])
    expect(rows[0]!.last_error).toMatch(/^alert change seq 1: stored row alerts .* not readable/)
    expect(s.logged.some((l) => l.level === 'error' && /cannot be read/.test(l.msg))).toBe(true)
    expect(relay.counters).toMatchObject({ relayed: 2, parked: 1 })
    relay.stop()
    s.db.close()
  })

  it('a batch that cannot be written rolls back whole (no rows, cursor kept) and is tried again later, once', () => {
    const s = site()
    const timers: { fn: () => void; ms: number }[] = []
    const relay = new AlertPointsRelay({ db: s.db, store: s.store, sinks: [INFLUX_ALERT_SINK], clock: s.clock, log: s.log, timer: { set: (fn, ms) => timers.push({ fn, ms }), clear: () => {} } })
    relay.start()
    const before = cursor(s.db)
    s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    // The cursor's write fails after the row was inserted (say, the disk is full): nothing of the batch may stay.
    s.db.exec("CREATE TRIGGER no_cursor BEFORE UPDATE ON audit_cursors BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    expect(relay.run()).toBe(false)
    expect(queued(s.db)).toEqual([])
    expect(cursor(s.db)).toBe(before)
    expect(timers.map((t) => t.ms)).toEqual([5000])
    expect(s.logged.some((l) => l.level === 'warn' && /will retry/.test(l.msg))).toBe(true)
    s.db.exec('DROP TRIGGER no_cursor')
    timers[0]!.fn()
    expect(queued(s.db)).toHaveLength(1)
    relay.run()
    expect(queued(s.db)).toHaveLength(1)
    relay.stop()
    s.db.close()
  })

  it('wake() relays after the current turn, once for many changes; stop() relays what is left', async () => {
    const s = site()
    const relay = s.relay()
    relay.start()
    s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    relay.wake()
    relay.wake()
    expect(queued(s.db)).toHaveLength(0)
    await new Promise((r) => setImmediate(r))
    expect(queued(s.db)).toHaveLength(1)
    s.apply(null, fault('raise', 'unit-2', T0, 4.2, 1))
    relay.stop()
    expect(queued(s.db)).toHaveLength(2)
    s.db.close()
  })
})

describe('alert points in InfluxDB', () => {
  it('each change is one point with the alert tags and fields, at the change time; cleared is active 0', async () => {
    const s = site()
    const relay = s.relay()
    relay.start()
    const { forwarder: f, database } = forwarder(s)
    let a = s.apply(null, fault('raise', 'unit-1', T0, 4.2, 1))
    a = s.apply(a, fault('update', 'unit-1', T0 + MIN, 5.1, 7))
    relay.run()
    await f.drain()
    a = s.apply(a, { kind: 'acknowledge', by: 'ana', at: T0 + 2 * MIN })
    // Acknowledged and assigned in the same millisecond, same tags: still two points.
    a = s.apply(a, { kind: 'assign', by: 'ana', at: T0 + 2 * MIN, member: 'bo' })
    s.apply(a, { kind: 'clear', by: 'bo', at: T0 + 3 * MIN, note: 'fixed the earth fault' })
    relay.run()
    await f.drain()
    const base = { device_id: 'unit-1', fault: 'leakage', severity: 'critical', team: 'north', alert_id: a.id, fault_count: 7, raised_at: T0, value: 5.1 }
    // The first two were forwarded before the acknowledgement: their fields are the record as it was then.
    expect(await alertPoints(database)).toEqual([
      { ...base, time: T0, state: 'active', active: 1, count: 2 },
      { ...base, time: T0 + MIN, state: 'active', active: 1, count: 2 },
      { ...base, time: T0 + 2 * MIN, state: 'acknowledged', active: 1, count: 2 },
      { ...base, time: T0 + 2 * MIN, state: 'acknowledged', active: 1, count: 2 },
      { ...base, time: T0 + 3 * MIN, state: 'cleared', active: 0, count: 2 },
    ])
    expect(f.stats().alerts).toBe(0)
    relay.stop()
    s.db.close()
  })

  it('InfluxDB down: the changes wait in the outbox; up again: all of them arrive, once', async () => {
    const s = site()
    const relay = s.relay()
    relay.start()
    const { forwarder: f, database } = forwarder(s)
    await f.drain() // database made while InfluxDB is up
    await server.stop()
    try {
      const a = s.apply(null, fault('raise', 'unit-3', T0, 4.2, 1))
      s.apply(a, { kind: 'acknowledge', by: 'ana', at: T0 + MIN })
      relay.run()
      await expect(f.drain()).rejects.toThrow(/ECONNREFUSED|socket|connect/i)
      expect(f.stats().alerts).toBe(2)
    } finally {
      await server.start()
    }
    await f.drain()
    expect((await alertPoints(database)).map((p) => [p.time, p.state])).toEqual([
      [T0, 'active'],
      [T0 + MIN, 'acknowledged'],
    ])
    expect(f.stats().alerts).toBe(0)
    relay.stop()
    s.db.close()
  })

  it('a queued row that does not parse is parked with its reason; the changes behind it are written', async () => {
    const s = site()
    const relay = s.relay()
    relay.start()
    const { forwarder: f, database } = forwarder(s)
    new Outbox(s.db).append(INFLUX_ALERT_SINK, { key: 'x', at: T0, payload: '{"seq":"one"}', queuedAt: T0 })
    s.apply(null, fault('raise', 'unit-4', T0 + MIN, 4.2, 1))
    relay.run()
    await f.drain()
    expect((await alertPoints(database)).map((p) => p.device_id)).toEqual(['unit-4'])
    const rows = queued(s.db)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.next_at).toBe(NEVER)
    expect(rows[0]!.last_error).toMatch(/outbox sink influx-alerts id 1 .*seq/)
    expect(s.logged.some((l) => l.level === 'error' && /parked/.test(l.msg))).toBe(true)
    relay.stop()
    s.db.close()
  })
})
