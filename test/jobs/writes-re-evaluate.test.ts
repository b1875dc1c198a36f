/**
 * Repositories emit, the monitor reacts (issue 9): every write to a job through its
 * repositories changes the verdict with no caller telling the monitor anything. A new write
 * method added to a repository without an emit fails the census at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EventBus } from '../../gateway/bus/event-bus.js'
import type { JobChanged } from '../../gateway/bus/events.js'
import { ManualClock } from '../../gateway/clock.js'
import { DeviceRegistry } from '../../gateway/devices/device-registry.js'
import { InlineEvaluator } from '../../gateway/jobs/job-evaluator.js'
import { JobMonitor } from '../../gateway/jobs/job-monitor.js'
import { JobRepository } from '../../gateway/jobs/job-repository.js'
import { StepEventRepository } from '../../gateway/jobs/step-event-repository.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const pack = loadRulePacks(defaultPacksDir()).get('split-ac')!
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1 as const, ratedCurrentA: 7.5 }

let dir: string
let db: Db
let bus: EventBus
let jobs: JobRepository
let stepEvents: StepEventRepository
let devices: DeviceRegistry
let monitor: JobMonitor
let heard: Verdict[]
let changes: JobChanged[]

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-writes-'))
  db = openDatabase(dir, 'normal')
  bus = new EventBus()
  jobs = new JobRepository(db, bus)
  stepEvents = new StepEventRepository(db, bus)
  devices = new DeviceRegistry(db, bus)
  const clock = new ManualClock(T0 + 60_000)
  monitor = new JobMonitor({
    jobs,
    evaluator: new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: 0 }),
    clock,
    log: () => {},
    facts: { calibrationOf: (id) => ({ calibrationDue: devices.get(id)?.attributes.calibrationDue }), accuracyOf: () => ({}), stepEvents: (jobId) => stepEvents.events(jobId) },
    bus,
    minIntervalMs: 0,
  })
  monitor.start()
  heard = []
  changes = []
  bus.on('verdict.changed', 'test', ({ verdict }) => heard.push(verdict))
  bus.on('job.changed', 'test', (e) => changes.push(e))
  db.prepare("INSERT INTO devices (id, kind, model, secret_hash, created_at) VALUES ('clamp', 'meter', NULL, x'00', 0)").run()
  jobs.create({ id: 'j', installerId: null, rulePack: { id: pack.id, version: pack.version }, unit, createdAt: T0 }, pack)
  // Readings of a device not yet attached: they count only once it is.
  const samples = [{ deviceId: 'clamp', readings: [1000, 2000, 3000].map((dt) => ({ channel: 'current_a' as const, ts: T0 + dt, value: 5 })) }]
  const log = new IngestLog(db)
  await log.append({ receivedAt: T0 + 3000, samples })
  log.flush()
  await monitor.settled()
  expect(heard).toEqual([]) // creating a job evaluates nothing (as before: its verdict is computed when asked for)
})
afterEach(async () => {
  await monitor.stop()
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The verdict's content as a comparable string (evaluatedAt aside). */
const content = (v: Verdict | undefined): string => JSON.stringify({ ...v, evaluatedAt: 0 })
const check = (v: Verdict | undefined, step: string, id: string) => v?.steps.find((s) => s.id === step)?.checks.find((c) => c.id === id)

/** Each write, done straight on the repository, exactly as a route (present or future) would. */
const writes: Record<string, { method: string; setup?: () => void; write: () => void; expect: (before: Verdict | undefined, after: Verdict) => void }> = {
  marker: {
    method: 'addMarker',
    write: () => jobs.addMarker('j', { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} }),
    expect: (before, after) => {
      expect(check(before, 'test_run', 'started')?.status ?? 'pending').toBe('pending')
      expect(check(after, 'test_run', 'started')?.status).not.toBe('pending')
    },
  },
  attach: {
    method: 'attach',
    write: () => jobs.attach('j', 'clamp', T0),
    expect: (_before, after) => expect(JSON.stringify(after.steps.find((s) => s.id === 'test_run'))).toContain(String(T0 + 3000)),
  },
  detach: {
    method: 'detach',
    write: () => expect(jobs.detach('j', 'clamp', T0 + 500)).toBe(true),
    expect: (_before, after) => expect(JSON.stringify(after.steps.find((s) => s.id === 'test_run'))).not.toContain(String(T0 + 3000)),
  },
  record: {
    method: 'mergeRecord',
    write: () => void jobs.mergeRecord('j', { photos: [{ caption: 'outdoor unit' }], location: { lat: 31.2, lon: 121.5 }, barcode: 'SN-1' }),
    expect: (before, after) => expect(JSON.stringify(check(after, 'installation_record', 'photos_location_barcode'))).not.toBe(JSON.stringify(check(before, 'installation_record', 'photos_location_barcode'))),
  },
  confirmation: {
    method: 'confirmWorkOrder',
    write: () => void jobs.confirmWorkOrder('j', T0 + 50_000, 'installer'),
    expect: (before, after) => {
      expect(check(before, 'installation_record', 'customer_signature')?.status).toBe('pending')
      expect(check(after, 'installation_record', 'customer_signature')?.status).toBe('fail')
    },
  },
  override: {
    method: 'addOverride',
    write: () => jobs.addOverride('j', { step: 'power_test', check: 'started', status: 'warn', reason: 'done on another day', by: 'reviewer', at: T0 + 50_000 }),
    expect: (before, after) => expect(JSON.stringify(check(after, 'power_test', 'started'))).not.toBe(JSON.stringify(check(before, 'power_test', 'started'))),
  },
  'step event': {
    method: 'add',
    setup: () => jobs.addMarker('j', { step: 'evacuation', action: 'start', at: T0, receivedAt: T0, facts: {} }),
    write: () => stepEvents.add('j', { step: 'evacuation', kind: 'isolate', at: T0 + 1000, receivedAt: T0 + 1000 }),
    expect: (before, after) => expect(content(after)).not.toBe(content(before)),
  },
}

describe('every write to a job re-evaluates it, with no caller telling the monitor', () => {
  // In order: each builds on the one before (attach before detach, record before confirmation).
  const order = ['marker', 'attach', 'detach', 'record', 'confirmation', 'override', 'step event']

  it('each write in turn changes the verdict heard on the bus', async () => {
    for (const name of order) {
      const w = writes[name]!
      if (w.setup) {
        w.setup()
        await monitor.settled()
      }
      const before = heard.at(-1)
      const count = heard.length
      w.write()
      await monitor.settled()
      expect(heard.length, `${name}: a new verdict was heard`).toBe(count + 1)
      w.expect(before, heard.at(-1)!)
    }
    expect(changes.map((c) => c.change)).toEqual(['created', 'marker', 'attached', 'detached', 'record', 'confirmed', 'override', 'marker', 'step-event'])
  })

  it('census: every method of the job repositories either only reads or is a write shown above to emit', () => {
    const reads = new Set(['constructor', 'get', 'pack', 'record', 'overrides', 'attachments', 'openAttachments', 'confirmation', 'markers', 'events'])
    const written = new Set(Object.values(writes).map((w) => w.method).concat('create'))
    for (const proto of [JobRepository.prototype, StepEventRepository.prototype]) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        expect(reads.has(name) || written.has(name), `${proto.constructor.name}.${name}: a new method? If it writes, emit 'job.changed' and add it to this test`).toBe(true)
      }
    }
  })

  it("a meter's declared calibration is a fact of the verdict: its change re-evaluates the jobs the meter is attached to", async () => {
    jobs.addMarker('j', { step: 'test_run', action: 'start', at: T0, receivedAt: T0, facts: {} })
    jobs.attach('j', 'clamp', T0)
    await monitor.settled()
    const before = heard.at(-1)
    const count = heard.length
    devices.mergeAttributes('clamp', { calibrationDue: '2020-01-01' }) // lapsed: its readings no longer count
    await monitor.settled()
    expect(heard).toHaveLength(count + 1)
    expect(content(heard.at(-1))).not.toBe(content(before))
    expect(JSON.stringify(heard.at(-1))).toContain('2020-01-01')
  })
})
