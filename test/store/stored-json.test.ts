/**
 * JSON read back from SQLite is parsed with the schema of what was written (gateway/store/
 * stored-json.ts): what was written reads back equal; a row that does not parse is a clear
 * error naming table, row and column, for that job or device only.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { DeviceRegistry } from '../../gateway/devices/device-registry.js'
import { loadJobContext } from '../../gateway/jobs/job-context.js'
import { JobRepository } from '../../gateway/jobs/job-repository.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { StoredRowError } from '../../gateway/store/stored-json.js'
import { noJobFacts } from '../helpers/job-facts.js'

const pack = loadRulePacks(defaultPacksDir()).get('split-ac')!
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1 as const, ratedCurrentA: 7.5 }
const T = Date.UTC(2026, 11, 1, 8, 0, 0)

let dir: string
let db: Db
let jobs: JobRepository
let devices: DeviceRegistry
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-stored-json-'))
  db = openDatabase(dir, 'normal')
  jobs = new JobRepository(db)
  devices = new DeviceRegistry(db)
  devices.register({ id: 'clamp-1', kind: 'meter' }, T)
  devices.register({ id: 'bridge-1', kind: 'bridge', bridgeFor: ['clamp-1'] }, T)
  for (const id of ['job-ok', 'job-bad']) {
    jobs.create({ id, installerId: 'inst-1', rulePack: { id: pack.id, version: pack.version }, unit, createdAt: T }, pack)
    jobs.attach(id, 'clamp-1', T, { current_a: 'compressor' })
    jobs.addMarker(id, { step: 'power_test', action: 'start', at: T + 1, receivedAt: T + 2, facts: { note: 'breaker on' } })
    jobs.mergeRecord(id, { invoiceModel: 'KFR-35GW' })
  }
  devices.mergeAttributes('clamp-1', { serial: 'S-1', calibrationDue: '2027-01-31', channels: 3 })
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

it('what was written reads back equal, parsed', () => {
  expect(jobs.get('job-ok')).toEqual({ id: 'job-ok', installerId: 'inst-1', rulePack: { id: pack.id, version: pack.version }, unit, createdAt: T })
  expect(jobs.pack('job-ok')).toEqual(pack)
  expect(jobs.record('job-ok')).toEqual({ invoiceModel: 'KFR-35GW' })
  expect(jobs.attachments('job-ok')).toEqual([{ deviceId: 'clamp-1', attachedAt: T, detachedAt: null, roles: { current_a: 'compressor' } }])
  expect(jobs.markers('job-ok')).toEqual([{ step: 'power_test', action: 'start', at: T + 1, receivedAt: T + 2, facts: { note: 'breaker on' } }])
  expect(devices.get('clamp-1')!.attributes).toEqual({ serial: 'S-1', calibrationDue: '2027-01-31', channels: 3 })
  expect(devices.get('bridge-1')!.bridgeFor).toEqual(['clamp-1'])
})

it("a job's unit of the wrong shape: an error naming the table, the row and what is wrong, for that job only", () => {
  db.prepare("UPDATE jobs SET unit = '{\"model\": 35}' WHERE id = 'job-bad'").run()
  expect(() => jobs.get('job-bad')).toThrow(StoredRowError)
  expect(() => jobs.get('job-bad')).toThrow(/^stored row jobs id "job-bad" column unit is not readable: model: .*string/)
  expect(() => loadJobContext(jobs, noJobFacts, 'job-bad', T)).toThrow(/jobs id "job-bad" column unit/)
  expect(loadJobContext(jobs, noJobFacts, 'job-ok', T)?.job.unit).toEqual(unit)
})

it('a pack that is not JSON, a marker whose facts are not an object, roles of an unknown channel: each named', () => {
  db.prepare("UPDATE jobs SET pack = '{\"id\": ' WHERE id = 'job-bad'").run()
  expect(() => jobs.pack('job-bad')).toThrow(/^stored row jobs id "job-bad" column pack is not readable: not JSON/)
  db.prepare("UPDATE step_markers SET facts = '[1]' WHERE job_id = 'job-bad'").run()
  expect(() => jobs.markers('job-bad')).toThrow(/^stored row step_markers job "job-bad" step power_test start at \d+ column facts is not readable/)
  db.prepare(`UPDATE attachment_roles SET roles = '{"kettle_w":"compressor"}' WHERE job_id = 'job-bad'`).run()
  expect(() => jobs.attachments('job-bad')).toThrow(/^stored row attachment_roles job "job-bad" device "clamp-1" attached_at \d+ column roles is not readable/)
  expect(jobs.pack('job-ok')).toEqual(pack)
  expect(jobs.markers('job-ok')).toHaveLength(1)
  expect(jobs.attachments('job-ok')).toHaveLength(1)
})

it("a device's attributes or bridge list of the wrong shape: named, and the other devices still read", () => {
  db.prepare(`UPDATE devices SET attributes = '{"serial": {"nested": true}}' WHERE id = 'clamp-1'`).run()
  expect(() => devices.get('clamp-1')).toThrow(/^stored row devices id "clamp-1" column attributes is not readable: serial/)
  db.prepare(`UPDATE devices SET bridge_for = '"clamp-1"' WHERE id = 'bridge-1'`).run()
  expect(() => devices.get('bridge-1')).toThrow(/^stored row devices id "bridge-1" column bridge_for is not readable/)
  devices.register({ id: 'clamp-2', kind: 'meter' }, T)
  expect(devices.get('clamp-2')).toMatchObject({ id: 'clamp-2', attributes: {}, bridgeFor: [] })
})
