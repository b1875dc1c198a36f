/**
 * Device attributes are written in the ingest transaction, with the message's readings and
 * quarantine record: a commit that fails (the message is then not acknowledged) leaves no
 * attribute of it behind, and one that succeeds has them all.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { EventBus } from '../../gateway/bus/event-bus.js'
import type { AttributesChanged } from '../../gateway/bus/events.js'
import { ManualClock } from '../../gateway/clock.js'
import { DeviceRegistry } from '../../gateway/devices/device-registry.js'
import { Ingest } from '../../gateway/ingest/ingest.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'

const T = Date.UTC(2026, 11, 1, 8, 0, 0)
let dir: string
let db: Db
let devices: DeviceRegistry
let ingest: Ingest
let log: IngestLog
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-attr-commit-'))
  db = openDatabase(dir, 'normal')
  devices = new DeviceRegistry(db)
  devices.register({ id: 'bridge-1', kind: 'bridge', bridgeFor: ['meter-1'] }, T)
  devices.register({ id: 'meter-1', kind: 'meter' }, T)
  log = new IngestLog(db)
  ingest = new Ingest({ log, devices, clock: new ManualClock(T), futureToleranceMs: 60_000, sendError: () => {} })
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const bridge = { id: 'bridge-1', kind: 'bridge' as const, bridgeFor: ['meter-1'] }
// meter-1's attributes are fine; meter-9 is not the bridge's, so the message also gets a quarantine record.
const publish = (serial: string) => ({
  topic: 'v1/gateway/attributes',
  payload: Buffer.from(JSON.stringify({ 'meter-1': { serial }, 'meter-9': { serial: 'X' } })),
  qos: 1 as const,
  dup: false,
})

it('a commit that fails keeps none of the message: no attributes, no quarantine record', async () => {
  db.exec("CREATE TRIGGER no_room BEFORE INSERT ON quarantine BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
  const handled = ingest.handle(bridge, publish('S-1'))
  log.flush()
  await expect(handled).rejects.toThrow(/disk is full/)
  expect(devices.get('meter-1')!.attributes).toEqual({})
})

it('a commit that succeeds has the attributes and the quarantine record together', async () => {
  const handled = ingest.handle(bridge, publish('S-2'))
  log.flush()
  await handled
  expect(devices.get('meter-1')!.attributes).toEqual({ serial: 'S-2' })
  expect(db.prepare('SELECT count(*) AS n FROM quarantine').get()).toEqual({ n: 1 })
  const again = ingest.handle(bridge, { ...publish('S-3'), payload: Buffer.from(JSON.stringify({ 'meter-1': { firmware: '2.1' } })) })
  log.flush()
  await again
  expect(devices.get('meter-1')!.attributes).toEqual({ serial: 'S-2', firmware: '2.1' })
})

it("attributes committed are told on the bus ('attributes.changed'), a failed commit tells nothing", async () => {
  const bus = new EventBus()
  const heard: AttributesChanged[] = []
  bus.on('attributes.changed', 'test', (e) => heard.push(e))
  const told = new Ingest({ log, devices, clock: new ManualClock(T), futureToleranceMs: 60_000, sendError: () => {}, bus })
  db.exec("CREATE TRIGGER no_room BEFORE INSERT ON quarantine BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
  const failed = told.handle(bridge, publish('S-1'))
  log.flush()
  await expect(failed).rejects.toThrow(/disk is full/)
  expect(heard).toEqual([])
  db.exec('DROP TRIGGER no_room')
  const handled = told.handle(bridge, publish('S-4'))
  log.flush()
  await handled
  expect(heard).toEqual([{ deviceId: 'meter-1', changed: { serial: 'S-4' } }])
})
