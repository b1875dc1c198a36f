/**
 * The forwarder against a fake InfluxDB that behaves like the real one where it matters (a
 * point = measurement + tags + time; writing it again overwrites its fields) and can be
 * taken down. Timers are fired by hand: back-off delays are checked exactly, nothing sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IPoint } from 'influx'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../gateway/clock.js'
import { Backoff, type Timer } from '../../../gateway/shared/backoff.js'
import { InfluxForwarder } from '../../../gateway/sinks/influx/forwarder.js'
import { openDatabase, type Db } from '../../../gateway/store/database.js'
import { InfluxRefusedError, type InfluxSink } from '../../../gateway/sinks/influx/influx-client.js'
import { configureInfluxOutbox, INFLUX_SINK } from '../../../gateway/sinks/influx/influx-outbox.js'
import { IngestLog } from '../../../gateway/store/ingest-log.js'
import { ingestReadings, reading } from '../../store/reading-store-contract.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)

class FakeInflux implements InfluxSink {
  up = true
  readonly points = new Map<string, Record<string, unknown>>()
  /** Every write request: measurement and point count, in order. */
  readonly requests: { measurement: string; points: number; firstTs: number }[] = []
  readonly purges: { deviceId: string; from: number; to: number }[] = []
  readonly downsamples: { deviceIds: readonly string[]; from: number; to: number }[] = []
  /** Points whose fields changed on a rewrite (must never happen). */
  readonly changed: string[] = []
  setups = 0

  private check(): void {
    if (!this.up) throw new Error('connect ECONNREFUSED 127.0.0.1:8086')
  }
  async setup(): Promise<void> {
    this.check()
    this.setups++
  }
  async write(measurement: string, points: IPoint[]): Promise<void> {
    this.check()
    this.requests.push({ measurement, points: points.length, firstTs: points[0]!.timestamp as number })
    for (const p of points) {
      const key = `${measurement},${JSON.stringify(Object.entries(p.tags ?? {}).sort())},${String(p.timestamp)}`
      const old = this.points.get(key)
      if (old && Object.entries(old).some(([f, v]) => f !== '_measurement' && p.fields![f] !== undefined && p.fields![f] !== v)) this.changed.push(key)
      this.points.set(key, { ...old, ...p.fields, ...p.tags, _measurement: measurement, time: p.timestamp })
    }
  }
  refusePurge = false
  refuseInto = false
  async purge(deviceId: string, from: number, to: number): Promise<void> {
    this.check()
    if (this.refusePurge) throw new InfluxRefusedError('error parsing query: found DELETE')
    this.purges.push({ deviceId, from, to })
    for (const [k, v] of this.points) {
      if (v.device_id === deviceId && (v.time as number) >= from && (v.time as number) <= to) this.points.delete(k)
    }
  }
  async downsample(deviceIds: readonly string[], from: number, to: number): Promise<void> {
    this.check()
    if (this.refuseInto) throw new InfluxRefusedError('SELECT INTO is not supported')
    this.downsamples.push({ deviceIds, from, to })
  }
  of(measurement: string): Record<string, unknown>[] {
    return [...this.points.values()].filter((p) => p._measurement === measurement).sort((a, b) => (a.time as number) - (b.time as number))
  }
}

/** Timers that fire only when the test says so. */
class ManualTimer implements Timer {
  pending: { fn: () => void; ms: number }[] = []
  set(fn: () => void, ms: number): unknown {
    const t = { fn, ms }
    this.pending.push(t)
    return t
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((t) => t !== handle)
  }
  /** Fires the next timer and lets the cycle it starts finish; returns its delay. */
  async fire(): Promise<number> {
    const t = this.pending.shift()
    if (!t) throw new Error('no timer pending')
    t.fn()
    for (let i = 0; i < 20 && this.pending.length === 0; i++) await new Promise((r) => setImmediate(r))
    return t.ms
  }
}

let dir: string
let db: Db
let log: IngestLog
let influx: FakeInflux
let timer: ManualTimer
let clock: ManualClock

function forwarder(batchPoints = 1000): InfluxForwarder {
  return new InfluxForwarder({ db, sink: influx, clock, log: () => {}, batchPoints, timer, random: () => 0.5, pollMs: 100, backoff: { baseMs: 100, capMs: 1000 } })
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-fwd-'))
  db = openDatabase(dir, 'normal')
  db.pragma('foreign_keys = OFF')
  configureInfluxOutbox(db, true)
  log = new IngestLog(db, { outboxSinks: [INFLUX_SINK] })
  influx = new FakeInflux()
  timer = new ManualTimer()
  clock = new ManualClock(T0 + 60_000)
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('backoff', () => {
  it('doubles from the base up to the cap, with equal jitter', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 })
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([75, 150, 300, 600, 750, 750])
    b.reset()
    expect(b.next()).toBe(75)
    const lo = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 })
    const hi = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 })
    expect([lo.next(), hi.next()]).toEqual([50, 100])
  })
})

describe('outbox', () => {
  it('queues only readings really stored: a redelivered message and a seen seq add nothing', async () => {
    const entry = { receivedAt: T0, samples: [{ deviceId: 'm-1', seq: 7, readings: [{ channel: 'current_a' as const, ts: T0, value: 5 }] }] }
    await Promise.all([log.append(entry), log.append({ receivedAt: T0 + 1, samples: [{ deviceId: 'm-1', readings: [{ channel: 'current_a' as const, ts: T0, value: 5 }] }] })])
    await log.append(entry)
    const f = forwarder()
    expect(f.stats()).toMatchObject({ backlog: 1, lagMs: 60_000 })
    await f.drain()
    expect(influx.of('telemetry')).toHaveLength(1)
    expect(f.stats()).toMatchObject({ backlog: 0, lagMs: 0, forwarded: 1 })
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 })
  })

  it('is not filled when InfluxDB is not configured, and the attachment triggers go', async () => {
    configureInfluxOutbox(db, false)
    const plain = new IngestLog(db)
    await ingestReadings(plain, [reading('m-1', 'current_a', T0, 1)])
    db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at) VALUES (?, ?, ?)').run('j', 'm-1', T0)
    expect(db.prepare('SELECT (SELECT count(*) FROM outbox) AS o, (SELECT count(*) FROM influx_requeue) AS r').get()).toEqual({ o: 0, r: 0 })
  })

  it('one row per device of a commit, standing for its points; the backlog counts readings without counting rows', async () => {
    await ingestReadings(log, [reading('m-1', 'current_a', T0, 1, T0 + 5), reading('m-1', 'voltage_v', T0, 230, T0 + 5), reading('m-2', 'current_a', T0, 2, T0 + 9)])
    expect(db.prepare("SELECT n, upto FROM outbox WHERE sink = 'influx' ORDER BY id").all()).toEqual([
      { n: 2, upto: 2 },
      { n: 1, upto: 3 },
    ])
    expect(forwarder().stats()).toMatchObject({ backlog: 3, lagMs: 60_000 - 5 })
  })
})

describe('forwarding', () => {
  it('in order, in write requests of at most batchPoints points, per measurement', async () => {
    db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at) VALUES (?, ?, ?)').run('job-1', 'clamp-1', T0)
    const f = forwarder(100)
    await f.drain() // the attachment's window: nothing to re-route yet
    const rs = Array.from({ length: 250 }, (_, i) => reading(i % 2 ? 'clamp-1' : 'unit-1', 'current_a', T0 + i * 1000, i, T0 + i * 1000 + 10))
    await ingestReadings(log, rs)
    await f.drain()
    // One commit: a row per device of 125 points. A cycle takes whole rows until it has 2 × batchPoints
    // points (here both rows); each measurement goes in requests of ≤ batchPoints points.
    expect(influx.requests.map((r) => [r.measurement, r.points])).toEqual([
      ['commissioning', 100],
      ['commissioning', 25],
      ['telemetry', 100],
      ['telemetry', 25],
    ])
    for (const m of ['commissioning', 'telemetry']) {
      const firsts = influx.requests.filter((r) => r.measurement === m).map((r) => r.firstTs)
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b))
    }
    expect(influx.of('commissioning')).toHaveLength(125)
    expect(influx.of('telemetry')[0]).toEqual({ _measurement: 'telemetry', time: T0, device_id: 'unit-1', current_a: 0, lag_s: 0.01 })
  })

  it('while InfluxDB is down: retries with back-off, keeps everything, then catches up in order without duplicates', async () => {
    const f = forwarder(100)
    f.start()
    await ingestReadings(log, [reading('m-1', 'current_a', T0, 1)])
    expect(await timer.fire()).toBe(0) // setup + first batch
    expect(influx.of('telemetry')).toHaveLength(1)
    expect(await timer.fire()).toBe(0) // looked again: nothing
    expect(timer.pending[0]!.ms).toBe(100) // idle poll

    influx.up = false
    const acknowledged = Array.from({ length: 450 }, (_, i) => reading('m-1', 'current_a', T0 + (i + 1) * 1000, i + 2))
    await ingestReadings(log, acknowledged)
    const delays: number[] = []
    await timer.fire() // poll: fails
    for (let i = 0; i < 6; i++) delays.push(await timer.fire())
    expect(delays).toEqual([75, 150, 300, 600, 750, 750])
    expect(f.stats()).toMatchObject({ state: 'retrying', backlog: 450, failures: 7, lastError: 'connect ECONNREFUSED 127.0.0.1:8086', forwarded: 1 })

    influx.up = true
    clock.advance(5000)
    await timer.fire()
    while (f.stats().backlog > 0) expect(await timer.fire()).toBe(0)
    expect(f.stats()).toMatchObject({ state: 'idle', backlog: 0, forwarded: 451, failures: 7 })
    expect(influx.setups).toBe(2) // set up again after the outage: the server may have come back empty
    const got = influx.of('telemetry')
    expect(got.map((p) => p.current_a)).toEqual(Array.from({ length: 451 }, (_, i) => i + 1))
    expect(influx.changed).toEqual([])
    // Back to the base delay after a success.
    influx.up = false
    await ingestReadings(log, [reading('m-1', 'current_a', T0 + 999_000, 0)])
    await timer.fire()
    expect(timer.pending[0]!.ms).toBe(75)
    await f.stop()
    expect(timer.pending).toEqual([])
  })

  it('start() and stop() are idempotent; stop() leaves no timer and keeps what is queued', async () => {
    const f = forwarder()
    f.start()
    f.start()
    expect(timer.pending).toHaveLength(1)
    await f.stop()
    await f.stop()
    expect(timer.pending).toHaveLength(0)
    await ingestReadings(log, [reading('m-1', 'current_a', T0, 1)])
    expect(f.stats()).toMatchObject({ state: 'stopped', backlog: 1 })
  })

  it('a rewrite never changes a point: readings of one device time in separate messages share the earliest lag_s', async () => {
    const f = forwarder()
    await ingestReadings(log, [reading('m-1', 'current_a', T0, 5, T0 + 2000)])
    await f.drain()
    await ingestReadings(log, [reading('m-1', 'voltage_v', T0, 230, T0 + 7000)])
    await ingestReadings(log, [reading('m-1', 'current_a', T0 + 1000, 6, T0 + 8000)])
    await f.drain()
    expect(influx.changed).toEqual([])
    expect(influx.of('telemetry')).toEqual([
      { _measurement: 'telemetry', time: T0, device_id: 'm-1', current_a: 5, voltage_v: 230, lag_s: 2 },
      { _measurement: 'telemetry', time: T0 + 1000, device_id: 'm-1', current_a: 6, lag_s: 7 },
    ])
  })

  it('a device attached to two jobs at once: one commissioning point per job', async () => {
    const attach = db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at, detached_at) VALUES (?, ?, ?, ?)')
    attach.run('job-a', 'm-1', T0, null)
    attach.run('job-b', 'm-1', T0, T0 + 500)
    const f = forwarder()
    await f.drain() // the two (empty) windows
    await ingestReadings(log, [reading('m-1', 'current_a', T0, 5), reading('m-1', 'current_a', T0 + 1000, 6)])
    await f.drain()
    expect(influx.of('commissioning').map((p) => [p.job_id, p.time])).toEqual([
      ['job-a', T0],
      ['job-b', T0],
      ['job-a', T0 + 1000],
    ])
    expect(influx.of('telemetry')).toEqual([])
  })

  it('attachment changes re-route their window: purge, then the readings go again; late telemetry is rolled up', async () => {
    clock.set(T0 + 86_400_000)
    const f = forwarder()
    await ingestReadings(log, [reading('u-1', 'current_a', T0, 1), reading('u-1', 'current_a', T0 + 600_000, 2)])
    await f.drain()
    expect(influx.downsamples).toEqual([{ deviceIds: ['u-1'], from: T0, to: T0 + 3_600_000 - 1 }]) // the hour, once
    db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at) VALUES (?, ?, ?)').run('job-1', 'u-1', T0 + 60_000)
    await f.drain()
    expect(influx.purges).toEqual([{ deviceId: 'u-1', from: T0 + 60_000, to: T0 + 2 * 86_400_000 }])
    expect(influx.of('telemetry').map((p) => p.time)).toEqual([T0])
    expect(influx.of('commissioning').map((p) => [p.job_id, p.time])).toEqual([['job-1', T0 + 600_000]])
    db.prepare('DELETE FROM job_devices').run()
    await f.drain()
    expect(influx.of('telemetry').map((p) => p.time)).toEqual([T0, T0 + 600_000])
    expect(influx.of('commissioning')).toEqual([])
  })

  it('late telemetry: each hour rolled up once, after the backlog is forwarded, not once per batch', async () => {
    clock.set(T0 + 86_400_000)
    const f = forwarder(10)
    const rs = Array.from({ length: 180 }, (_, i) => reading('u-1', 'current_a', T0 + i * 60_000, i))
    rs.push(reading('u-1', 'current_a', T0 + 5 * 3_600_000, 1), reading('u-2', 'current_a', T0, 2))
    await ingestReadings(log, rs)
    await f.drain()
    expect(influx.requests.length).toBeGreaterThan(5)
    expect(influx.downsamples).toEqual([
      { deviceIds: ['u-1'], from: T0, to: T0 + 3 * 3_600_000 - 1 },
      { deviceIds: ['u-1'], from: T0 + 5 * 3_600_000, to: T0 + 6 * 3_600_000 - 1 },
      { deviceIds: ['u-2'], from: T0, to: T0 + 3_600_000 - 1 },
    ])
    expect(f.stats().rollups).toBe(0)
  })

  it('a DELETE the server refuses (InfluxDB 2.x v1 API) does not hold up re-routing', async () => {
    const f = forwarder()
    await ingestReadings(log, [reading('u-1', 'current_a', T0, 1)])
    await f.drain()
    influx.refusePurge = true
    db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at) VALUES (?, ?, ?)').run('job-1', 'u-1', T0)
    await f.drain()
    expect(f.stats()).toMatchObject({ reroutes: 0, backlog: 0 })
    expect(influx.of('commissioning').map((p) => p.job_id)).toEqual(['job-1'])
    expect(influx.of('telemetry')).toHaveLength(1) // the stale copy stays
  })

  it('a roll-up the server refuses (no SELECT ... INTO) is skipped, not retried forever', async () => {
    clock.set(T0 + 86_400_000)
    influx.refuseInto = true
    const f = forwarder()
    await ingestReadings(log, [reading('u-1', 'current_a', T0, 1)])
    await f.drain()
    expect(f.stats()).toMatchObject({ backlog: 0, rollups: 0 })
    expect(influx.of('telemetry')).toHaveLength(1)
  })

  it('verdicts wait in the outbox while InfluxDB is down', async () => {
    const f = forwarder()
    influx.up = false
    f.writeVerdict({ jobId: 'j', installerId: null, rulePack: { id: 'p', version: '1' }, status: 'pass', steps: [{ id: 's', checks: [{ id: 'c', status: 'pass' }] }], at: T0 })
    await expect(f.drain()).rejects.toThrow(/ECONNREFUSED/)
    expect(f.stats().verdicts).toBe(1)
    influx.up = true
    await f.drain()
    expect(influx.of('verdict')).toEqual([{ _measurement: 'verdict', time: T0, job_id: 'j', rule_pack: 'p@1', status: 'pass', value: 1, failed_checks: 0 }])
    expect(influx.of('check_result')).toEqual([{ _measurement: 'check_result', time: T0, job_id: 'j', step: 's', check: 'c', status: 'pass', value: 1 }])
  })
})
