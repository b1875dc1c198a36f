/**
 * What a maintenance team keeps about a unit in service for its deadlines (issue 11, DOMAIN.md
 * T6, T7): its distance from the service centre that covers it (PATCH /units/:id; also given
 * when it enters service), its maintenance contract, and its monthly inspections, each signed
 * (seed §14 四.1④ "填写《维护登记表》,执行签字盖章手续"; §14 四.3 "月检").
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

import { IdSchema } from '../../../contract/job.js'
import type { AlertEngine } from '../../alerts/alert-engine.js'
import type { InServiceRepository, InServiceUnit } from '../../alerts/in-service-repository.js'
import { isInspectionCursor, type InspectionLog } from '../../alerts/inspection-log.js'
import type { Clock } from '../../clock.js'
import { ApiError, ErrorBodySchema, notFound } from '../api-error.js'

export interface UnitServiceRouteDeps {
  clock: Clock
  engine: AlertEngine
  inService: InServiceRepository
  inspections: InspectionLog
  /** The alerts module re-arms its timer (a distance can bring an escalation earlier). */
  afterChange: () => void
}

/** Farther than any road on Earth: a typo, not a site. */
const MAX_KM = 40_000
export const DistanceKm = z
  .number({ error: 'distanceKm must be a number of km' })
  .finite()
  .min(0, 'distanceKm cannot be negative: it is the distance in km from the service centre to the site')
  .max(MAX_KM, `distanceKm above ${MAX_KM} km is not a distance on Earth`)
  .describe('T6: distance from the service centre that covers the unit to its site, km (<= 300: on site within 24 h, <= 1000: 48 h, beyond: 72 h; seed §17 4.1.1.3)')
export const DistanceSource = z.string().trim().min(1).max(200).describe('Where the distance came from (route planner, site survey...): required with distanceKm')
const Who = z.string().trim().min(1, 'say who').max(100)
const When = z.number().int().positive().describe('When it really happened, ms since epoch; default: now')

/** distanceKm without distanceSource is refused: a deadline must say where its number came from. */
export function checkDistance(b: { distanceKm?: number | undefined; distanceSource?: string | undefined } | undefined, where = 'body'): void {
  if (b?.distanceKm !== undefined && b.distanceSource === undefined) throw new ApiError(400, 'GW_ERR_VALIDATION', `${where}.distanceSource: say where distanceKm (${b.distanceKm} km) came from (a route planner, the site survey...)`)
  if (b?.distanceKm === undefined && b?.distanceSource !== undefined) throw new ApiError(400, 'GW_ERR_VALIDATION', `${where}.distanceKm: distanceSource was given without the distance it is the source of`)
}

const ServiceFactsBody = z.object({
  deviceId: z.string(),
  distanceKm: z.number().nullable(),
  distanceSource: z.string().nullable(),
  maintained: z.boolean(),
  maintainedSince: z.number().nullable(),
})

export const serviceFactsView = (u: InServiceUnit): z.infer<typeof ServiceFactsBody> => ({
  deviceId: u.deviceId,
  distanceKm: u.distanceKm ?? null,
  distanceSource: u.distanceSource ?? null,
  maintained: u.maintainedSince !== undefined,
  maintainedSince: u.maintainedSince ?? null,
})

const CheckSchema = z.object({ item: z.string().trim().min(1).max(200), ok: z.boolean(), note: z.string().trim().max(2000).optional() }).strict()
const InspectionBody = z.object({
  id: z.number(),
  deviceId: z.string(),
  at: z.number(),
  by: z.string(),
  signedBy: z.string(),
  checks: z.array(z.object({ item: z.string(), ok: z.boolean(), note: z.string().optional() })),
  notes: z.string(),
  recordedAt: z.number(),
})
const Params = z.object({ id: IdSchema })

export const unitServiceRoutes =
  (deps: UnitServiceRouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const inService = (id: string): InServiceUnit => deps.inService.get(id) ?? raise(notFound(`unit "${id}" in service`))

    app.patch(
      '/units/:id',
      {
        schema: {
          summary: "Change a unit's service facts: its distance from the service centre (T6) and its maintenance contract (T7)",
          description:
            "A distance set or corrected here is applied to the unit's open alerts: each gets (or changes) its on_site deadline, counted from its raise, with an audit entry. `maintained: true` starts monthly inspections from `maintainedSince` (default now); false ends them and clears an overdue-inspection alert.",
          params: Params,
          body: z
            .object({ distanceKm: DistanceKm.optional(), distanceSource: DistanceSource.optional(), maintained: z.boolean().optional(), maintainedSince: When.optional() })
            .strict()
            .refine((b) => Object.keys(b).length > 0, 'give at least one of distanceKm, maintained'),
          response: { 200: ServiceFactsBody, 400: ErrorBodySchema, 404: ErrorBodySchema },
        },
      },
      async (req) => {
        const u = inService(req.params.id)
        const b = req.body
        checkDistance(b)
        if (b.maintainedSince !== undefined && b.maintained !== true) throw new ApiError(400, 'GW_ERR_VALIDATION', 'body.maintainedSince: only with maintained: true')
        const now = deps.clock.now()
        const maintainedSince = b.maintained === undefined ? undefined : b.maintained ? (b.maintainedSince ?? u.maintainedSince ?? now) : null
        deps.inService.setFacts(u.deviceId, {
          ...(b.distanceKm !== undefined ? { distanceKm: b.distanceKm, distanceSource: b.distanceSource! } : {}),
          ...(maintainedSince !== undefined ? { maintainedSince } : {}),
        })
        deps.engine.unitFactsChanged(u.deviceId, now)
        deps.afterChange()
        return serviceFactsView(inService(u.deviceId))
      },
    )

    app.get('/units/:id', { schema: { summary: "A unit's service facts (distance, maintenance contract)", params: Params, response: { 200: ServiceFactsBody, 404: ErrorBodySchema } } }, async (req) =>
      serviceFactsView(inService(req.params.id)),
    )

    app.post(
      '/units/:id/inspections',
      {
        schema: {
          summary: 'Record a monthly inspection of a maintained unit (T7), signed: clears its overdue-inspection alert',
          description: 'Seed §14 四.1④: after routine checks fill in the maintenance register and sign it. `by` inspected, `signedBy` signed the record; `checks` are what was checked, item by item.',
          params: Params,
          body: z
            .object({
              by: Who.describe('Who inspected'),
              signedBy: Who.describe('Who signed the inspection record'),
              at: When.optional(),
              checks: z.array(CheckSchema).max(200).default([]),
              notes: z.string().trim().max(4000).default(''),
            })
            .strict()
            .refine((b) => b.checks.length > 0 || b.notes !== '', { message: 'say what was inspected: checks (item by item) or notes', path: ['checks'] }),
          response: { 201: InspectionBody, 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema },
        },
      },
      async (req, reply) => {
        const u = inService(req.params.id)
        if (u.maintainedSince === undefined) throw new ApiError(409, 'GW_ERR_CONFLICT', `unit "${u.deviceId}" is not under a maintenance contract; mark it first (PATCH /api/v1/units/${u.deviceId} {"maintained": true})`)
        const now = deps.clock.now()
        const at = req.body.at ?? now
        if (at > now) throw new ApiError(400, 'GW_ERR_VALIDATION', `body.at: ${new Date(at).toISOString()} is in the future (now ${new Date(now).toISOString()})`)
        const rec = deps.inspections.record({ deviceId: u.deviceId, at, by: req.body.by, signedBy: req.body.signedBy, checks: req.body.checks, notes: req.body.notes, recordedAt: now })
        deps.engine.inspectionRecorded(u.deviceId, at, `inspection recorded: done by ${rec.by} at ${new Date(at).toISOString()}, signed by ${rec.signedBy}`, now)
        deps.afterChange()
        return reply.status(201).send(rec)
      },
    )

    app.get(
      '/units/:id/inspections',
      {
        schema: {
          summary: "A unit's inspections, newest first; page with `cursor` (the `next` of the last page)",
          params: Params,
          querystring: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
          response: { 200: z.object({ inspections: z.array(InspectionBody), next: z.string().nullable() }), 400: ErrorBodySchema, 404: ErrorBodySchema },
        },
      },
      async (req) => {
        const u = inService(req.params.id)
        if (req.query.cursor !== undefined && !isInspectionCursor(req.query.cursor)) throw new ApiError(400, 'GW_ERR_VALIDATION', 'querystring.cursor: not a cursor this gateway gave (use the `next` of the previous page)')
        return deps.inspections.list(u.deviceId, req.query.limit, req.query.cursor)
      },
    )
  }

function raise(err: Error): never {
  throw err
}
