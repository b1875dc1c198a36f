/**
 * Units in service (issue 11): closing a commissioning job puts its attached units in service;
 * a unit can also be registered as in service directly (one installed before the gateway).
 * Either can give the unit's distance from its service centre (T6, see unit-service.ts); a
 * re-registration without one keeps the distance (and maintenance contract) it had.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import { IdSchema, UnitSchema } from '../../../contract/job.js'
import type { RulePack } from '../../../rules/pack-schema.js'
import type { InServiceRepository, InServiceUnit } from '../../alerts/in-service-repository.js'
import type { Clock } from '../../clock.js'
import type { DeviceRegistry } from '../../devices/device-registry.js'
import type { JobRepository } from '../../jobs/job-repository.js'
import { ApiError, ErrorBodySchema, notFound } from '../api-error.js'
import { checkDistance, DistanceKm, DistanceSource } from './unit-service.js'

export interface InServiceRouteDeps {
  clock: Clock
  jobs: JobRepository
  devices: DeviceRegistry
  packs: ReadonlyMap<string, RulePack>
  inService: InServiceRepository
}

const When = z.number().int().positive().describe('When it really happened, ms since epoch; default: now')
const Label = z.string().trim().min(1).max(100)
const Tags = z.array(Label).max(50)

const InServiceBody = z.object({
  deviceId: z.string(),
  since: z.number(),
  jobId: z.string().nullable(),
  pack: z.object({ id: z.string(), version: z.string() }),
  unit: UnitSchema,
  site: z.string().nullable(),
  region: z.string().nullable(),
  installerId: z.string().nullable(),
  tags: z.array(z.string()),
  distanceKm: z.number().nullable(),
  distanceSource: z.string().nullable(),
  maintainedSince: z.number().nullable(),
})

const view = (u: InServiceUnit): z.infer<typeof InServiceBody> => ({
  deviceId: u.deviceId,
  since: u.since,
  jobId: u.jobId,
  pack: { id: u.pack.id, version: u.pack.version },
  unit: u.unit,
  site: u.site,
  region: u.region,
  installerId: u.installerId,
  tags: u.tags,
  distanceKm: u.distanceKm ?? null,
  distanceSource: u.distanceSource ?? null,
  maintainedSince: u.maintainedSince ?? null,
})

/** The service facts a (re-)registration keeps: the body's distance, else the unit's old one. */
function keptFacts(old: InServiceUnit | undefined, b: { distanceKm?: number | undefined; distanceSource?: string | undefined } | undefined): Pick<InServiceUnit, 'distanceKm' | 'distanceSource' | 'maintainedSince'> {
  const d = b?.distanceKm !== undefined ? { distanceKm: b.distanceKm, distanceSource: b.distanceSource! } : old?.distanceKm !== undefined ? { distanceKm: old.distanceKm, ...(old.distanceSource !== undefined ? { distanceSource: old.distanceSource } : {}) } : {}
  return { ...d, ...(old?.maintainedSince !== undefined ? { maintainedSince: old.maintainedSince } : {}) }
}

/** A declared record field as a routing label, when the installer declared one. */
function declared(record: Record<string, unknown>, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = record[k]
    if (typeof v === 'string' && v.trim() !== '') return v.trim()
  }
  return null
}

export const inServiceRoutes =
  (deps: InServiceRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/jobs/:id/close',
      {
        schema: {
          summary: 'Close a commissioning job: its attached units (devices of kind unit) enter service at `at`',
          description:
            "Every device attached at `at` is detached then (its later readings count for no job). Devices of kind `unit` enter service with the job's unit descriptor, the pack the job was judged by, its installer and site (the record's `siteId`/`site`, `region`, or the body's), and inServiceSince = at.",
          params: z.object({ id: IdSchema }),
          body: z
            .object({ at: When.optional(), site: Label.optional(), region: Label.optional(), tags: Tags.optional(), distanceKm: DistanceKm.optional(), distanceSource: DistanceSource.optional() })
            .strict()
            .optional(),
          response: {
            200: z.object({ jobId: z.string(), closedAt: z.number(), inService: z.array(InServiceBody) }),
            404: ErrorBodySchema,
            409: ErrorBodySchema,
          },
        },
      },
      async (req) => {
        const jobId = req.params.id
        checkDistance(req.body)
        const job = deps.jobs.get(jobId) ?? raise(notFound(`job "${jobId}"`))
        const now = deps.clock.now()
        const at = req.body?.at ?? now
        if (at < job.createdAt) throw new ApiError(400, 'GW_ERR_VALIDATION', `body.at: ${new Date(at).toISOString()} is before the job was created (${new Date(job.createdAt).toISOString()})`)
        const closedAt = deps.inService.closedAt(jobId)
        if (closedAt !== undefined) throw new ApiError(409, 'GW_ERR_CONFLICT', `job "${jobId}" was closed already, at ${new Date(closedAt).toISOString()}`)
        const pack = deps.jobs.pack(jobId) ?? raise(notFound(`rule pack of job "${jobId}"`))
        const record = deps.jobs.record(jobId)
        const site = req.body?.site ?? declared(record, 'siteId', 'site')
        const region = req.body?.region ?? declared(record, 'region')
        deps.inService.close(jobId, at, now)
        const entered: InServiceUnit[] = []
        const seen = new Set<string>()
        for (const a of deps.jobs.attachments(jobId)) {
          if (a.attachedAt > at || (a.detachedAt !== null && a.detachedAt < at) || seen.has(a.deviceId)) continue
          seen.add(a.deviceId)
          if (a.detachedAt === null) deps.jobs.detach(jobId, a.deviceId, at)
          if (deps.devices.get(a.deviceId)?.kind !== 'unit') continue
          const u: InServiceUnit = { deviceId: a.deviceId, since: at, jobId, pack, unit: job.unit, site, region, installerId: job.installerId, tags: req.body?.tags ?? [], createdAt: now, ...keptFacts(deps.inService.get(a.deviceId), req.body) }
          deps.inService.register(u)
          entered.push(u)
        }
        return { jobId, closedAt: at, inService: entered.map(view) }
      },
    )

    app.post(
      '/devices/:id/in-service',
      {
        schema: {
          summary: 'Register a unit as in service directly (installed before the gateway, or commissioned elsewhere)',
          params: z.object({ id: IdSchema }),
          body: z
            .object({
              pack: z.string().min(1).describe('Rule pack id: its faults section says what is watched'),
              unit: UnitSchema,
              site: Label.optional(),
              region: Label.optional(),
              installerId: IdSchema.optional(),
              tags: Tags.optional(),
              since: When.optional(),
              distanceKm: DistanceKm.optional(),
              distanceSource: DistanceSource.optional(),
            })
            .strict(),
          response: { 201: InServiceBody, 404: ErrorBodySchema },
        },
      },
      async (req, reply) => {
        checkDistance(req.body)
        const device = deps.devices.get(req.params.id) ?? raise(notFound(`device "${req.params.id}"`))
        if (device.kind !== 'unit') throw new ApiError(400, 'GW_ERR_VALIDATION', `device "${device.id}" is a ${device.kind}; only a device of kind unit can be in service`)
        const pack = deps.packs.get(req.body.pack)
        if (!pack) throw new ApiError(400, 'GW_ERR_VALIDATION', `body.pack: unknown rule pack "${req.body.pack}"; available: ${[...deps.packs.keys()].join(', ')}`)
        const now = deps.clock.now()
        const b = req.body
        const u: InServiceUnit = { deviceId: device.id, since: b.since ?? now, jobId: null, pack, unit: b.unit, site: b.site ?? null, region: b.region ?? null, installerId: b.installerId ?? null, tags: b.tags ?? [], createdAt: now, ...keptFacts(deps.inService.get(device.id), b) }
        deps.inService.register(u)
        return reply.status(201).send(view(u))
      },
    )

    app.get(
      '/units/in-service',
      { schema: { summary: 'Units in service, with the pack they are watched by', response: { 200: z.object({ units: z.array(InServiceBody) }) } } },
      async () => ({ units: deps.inService.all().map(view) }),
    )
  }

function raise(err: Error): never {
  throw err
}
