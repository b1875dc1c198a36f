/**
 * Units in service (issue 11): a unit enters service when its commissioning job is closed (with
 * the job's unit descriptor, pack copy, installer and site) or when registered directly. From
 * `since` on, its readings that count for no job feed the fault rules (rules/attachment-window.ts
 * routeReading). Every registration emits 'unit.in_service'.
 *
 * Service facts (migration 9, DOMAIN.md T6/T7): the distance from the service centre that covers
 * the unit (km, with its source) and whether it is under a maintenance contract (since when).
 * `setFacts` changes them without re-registering (the alerts module re-reads the unit).
 */
import { z } from 'zod'

import { UnitSchema, type InstalledUnit } from '../../contract/job.js'
import { RulePackSchema, type RulePack } from '../../rules/pack-schema.js'
import type { EventBus } from '../bus/event-bus.js'
import type { Db } from '../store/database.js'
import { parseStoredJson } from '../store/stored-json.js'

export interface InServiceUnit {
  deviceId: string
  /** inServiceSince, ms (device time of the readings that count). */
  since: number
  jobId: string | null
  pack: RulePack
  unit: InstalledUnit
  site: string | null
  region: string | null
  installerId: string | null
  tags: string[]
  createdAt: number
  /** T6: distance from the covering service centre, km; absent: not known. */
  distanceKm?: number
  /** Where the distance came from (a route planner, the site survey...). */
  distanceSource?: string
  /** T7: under a maintenance contract since (gateway ms); absent: not maintained. */
  maintainedSince?: number
}

export interface ServiceFacts {
  distanceKm?: number
  distanceSource?: string
  /** null: no longer maintained. */
  maintainedSince?: number | null
}

interface Row {
  device_id: string
  since: number
  job_id: string | null
  pack: string
  unit: string
  site: string | null
  region: string | null
  installer_id: string | null
  tags: string
  created_at: number
  distance_km: number | null
  distance_source: string | null
  maintained_since: number | null
}

const Tags = z.array(z.string())

export class InServiceRepository {
  private readonly upsert
  private readonly updateFacts
  private readonly selectOne
  private readonly selectAll
  private readonly insertClosure
  private readonly selectClosure

  constructor(db: Db, private readonly bus?: EventBus) {
    this.upsert = db.prepare(
      `INSERT INTO in_service_units (device_id, since, job_id, pack_id, pack_version, pack, unit, site, region, installer_id, tags, created_at, distance_km, distance_source, maintained_since)
       VALUES (@deviceId, @since, @jobId, @packId, @packVersion, @pack, @unit, @site, @region, @installerId, @tags, @createdAt, @distanceKm, @distanceSource, @maintainedSince)
       ON CONFLICT (device_id) DO UPDATE SET since = excluded.since, job_id = excluded.job_id, pack_id = excluded.pack_id,
         pack_version = excluded.pack_version, pack = excluded.pack, unit = excluded.unit, site = excluded.site,
         region = excluded.region, installer_id = excluded.installer_id, tags = excluded.tags, created_at = excluded.created_at,
         distance_km = excluded.distance_km, distance_source = excluded.distance_source, maintained_since = excluded.maintained_since`,
    )
    this.updateFacts = db.prepare(
      `UPDATE in_service_units SET distance_km = CASE WHEN @setDistance THEN @distanceKm ELSE distance_km END,
         distance_source = CASE WHEN @setDistance THEN @distanceSource ELSE distance_source END,
         maintained_since = CASE WHEN @setMaintained THEN @maintainedSince ELSE maintained_since END
       WHERE device_id = @deviceId`,
    )
    this.selectOne = db.prepare<[string], Row>('SELECT * FROM in_service_units WHERE device_id = ?')
    this.selectAll = db.prepare<[], Row>('SELECT * FROM in_service_units ORDER BY device_id')
    this.insertClosure = db.prepare('INSERT OR IGNORE INTO job_closures (job_id, closed_at, by_call) VALUES (?, ?, ?)')
    this.selectClosure = db.prepare<[string], { closed_at: number }>('SELECT closed_at FROM job_closures WHERE job_id = ?')
  }

  /** Registers (or re-registers: a re-commissioned unit) the unit as in service. */
  register(u: InServiceUnit): void {
    this.upsert.run({
      deviceId: u.deviceId,
      since: u.since,
      jobId: u.jobId,
      packId: u.pack.id,
      packVersion: u.pack.version,
      pack: JSON.stringify(u.pack),
      unit: JSON.stringify(u.unit),
      site: u.site,
      region: u.region,
      installerId: u.installerId,
      tags: JSON.stringify(u.tags),
      createdAt: u.createdAt,
      distanceKm: u.distanceKm ?? null,
      distanceSource: u.distanceSource ?? null,
      maintainedSince: u.maintainedSince ?? null,
    })
    this.bus?.emit('unit.in_service', { deviceId: u.deviceId, since: u.since })
  }

  /** Changes the unit's service facts (only those given); false when the unit is not in service. */
  setFacts(deviceId: string, f: ServiceFacts): boolean {
    const setDistance = f.distanceKm !== undefined
    const setMaintained = f.maintainedSince !== undefined
    return (
      this.updateFacts.run({
        deviceId,
        setDistance: setDistance ? 1 : 0,
        distanceKm: f.distanceKm ?? null,
        distanceSource: f.distanceSource ?? null,
        setMaintained: setMaintained ? 1 : 0,
        maintainedSince: f.maintainedSince ?? null,
      }).changes > 0
    )
  }

  get(deviceId: string): InServiceUnit | undefined {
    const row = this.selectOne.get(deviceId)
    return row ? fromRow(row) : undefined
  }

  all(): InServiceUnit[] {
    return this.selectAll.all().map(fromRow)
  }

  /** Records the job's close once; false when it was closed already. */
  close(jobId: string, at: number, now: number): boolean {
    return this.insertClosure.run(jobId, at, now).changes > 0
  }

  closedAt(jobId: string): number | undefined {
    return this.selectClosure.get(jobId)?.closed_at
  }
}

function fromRow(r: Row): InServiceUnit {
  const where = `device ${JSON.stringify(r.device_id)}`
  return {
    deviceId: r.device_id,
    since: r.since,
    jobId: r.job_id,
    pack: parseStoredJson(r.pack, 'in_service_units', `${where} column pack`, RulePackSchema),
    unit: parseStoredJson(r.unit, 'in_service_units', `${where} column unit`, UnitSchema),
    site: r.site,
    region: r.region,
    installerId: r.installer_id,
    tags: parseStoredJson(r.tags, 'in_service_units', `${where} column tags`, Tags),
    createdAt: r.created_at,
    ...(r.distance_km !== null ? { distanceKm: r.distance_km } : {}),
    ...(r.distance_source !== null ? { distanceSource: r.distance_source } : {}),
    ...(r.maintained_since !== null ? { maintainedSince: r.maintained_since } : {}),
  }
}
