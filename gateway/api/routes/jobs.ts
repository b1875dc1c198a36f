import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { CHANNEL_NAMES, CHANNELS } from '../../../contract/channels.js'
import { packMismatches, packsCovering } from '../../../rules/pack-coverage.js'
import { jobReadings } from '../../jobs/job-readings.js'
import { ChannelRolesSchema, IdSchema, JobExistsError, StepIdSchema, UnitSchema } from '../../jobs/index.js'
import { ApiError, ErrorBodySchema, notFound } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'
import { VerdictSchema } from '../verdict-schema.js'

/** A value and unit exactly as the device sent them (issue 10: evidence kept beside the canonical value). */
const SentSchema = z.object({ value: z.number(), unit: z.string() })

const JobParams = z.object({ id: IdSchema })
const When = z.number().int().positive().describe('When it really happened, ms since epoch (for markers sent late); default: now')

const CreateJobBody = z.object({ id: IdSchema, installerId: IdSchema.optional(), rulePack: z.string().min(1), unit: UnitSchema }).strict()
const JobBody = z.object({
  id: z.string(),
  installerId: z.string().nullable(),
  rulePack: z.object({ id: z.string(), version: z.string() }),
  unit: UnitSchema,
  createdAt: z.number(),
  devices: z.array(z.object({ deviceId: z.string(), attachedAt: z.number(), detachedAt: z.number().nullable(), roles: z.record(z.string(), z.string()).optional() })),
})

export const jobRoutes =
  (deps: Pick<ApiDeps, 'clock' | 'devices' | 'jobs' | 'monitor' | 'packs' | 'store'>): FastifyPluginAsyncZod =>
  async (app) => {
    const requireJob = (id: string) => deps.jobs.get(id) ?? raise(notFound(`job "${id}"`))
    const jobView = (id: string) => ({ ...requireJob(id), devices: deps.jobs.attachments(id) })

    app.post(
      '/jobs',
      { schema: { summary: 'Create a job (one installation)', body: CreateJobBody, response: { 201: JobBody, 409: ErrorBodySchema } } },
      async (req, reply) => {
        const pack = deps.packs.get(req.body.rulePack)
        if (!pack) {
          throw new ApiError(400, 'GW_ERR_VALIDATION', `body.rulePack: unknown rule pack "${req.body.rulePack}"; available: ${[...deps.packs.keys()].join(', ')}`)
        }
        const mismatches = packMismatches(pack, req.body.unit)
        if (mismatches.length > 0) {
          const others = packsCovering(deps.packs.values(), req.body.unit)
          const covering = others.length > 0 ? `packs that cover this unit: ${others.join(', ')}` : 'no loaded pack covers this unit'
          throw new ApiError(400, 'GW_ERR_VALIDATION', `body.rulePack: pack "${pack.id}" does not cover this unit: ${mismatches.join('; ')}; ${covering}`)
        }
        try {
          deps.jobs.create({ id: req.body.id, installerId: req.body.installerId ?? null, rulePack: { id: pack.id, version: pack.version }, unit: req.body.unit, createdAt: deps.clock.now() }, pack)
        } catch (err) {
          if (err instanceof JobExistsError) throw new ApiError(409, 'GW_ERR_CONFLICT', err.message)
          throw err
        }
        return reply.status(201).send(jobView(req.body.id))
      },
    )

    app.get('/jobs/:id', { schema: { summary: 'A job with its attached devices', params: JobParams, response: { 200: JobBody } } }, async (req) =>
      jobView(req.params.id),
    )

    app.post(
      '/jobs/:id/devices',
      {
        schema: {
          summary: 'Attach a device to the job from `at` on',
          params: JobParams,
          body: z.object({ deviceId: IdSchema, at: When.optional(), roles: ChannelRolesSchema.optional() }).strict(),
          response: { 201: JobBody },
        },
      },
      async (req, reply) => {
        requireJob(req.params.id)
        if (!deps.devices.get(req.body.deviceId)) throw notFound(`device "${req.body.deviceId}"`)
        deps.jobs.attach(req.params.id, req.body.deviceId, req.body.at ?? deps.clock.now(), req.body.roles)
        return reply.status(201).send(jobView(req.params.id))
      },
    )

    app.post(
      '/jobs/:id/devices/:deviceId/detach',
      {
        schema: {
          summary: 'Detach a device: its later readings no longer count for this job',
          params: JobParams.extend({ deviceId: IdSchema }),
          body: z.object({ at: When.optional() }).strict().optional(),
          response: { 200: JobBody },
        },
      },
      async (req) => {
        requireJob(req.params.id)
        if (!deps.jobs.detach(req.params.id, req.params.deviceId, req.body?.at ?? deps.clock.now())) {
          throw notFound(`open attachment of device "${req.params.deviceId}"`)
        }
        return jobView(req.params.id)
      },
    )

    app.post(
      '/jobs/:id/steps/:step/:action',
      {
        schema: {
          summary: "Mark the start or stop of a step; a start may carry the installer's declared facts",
          params: JobParams.extend({ step: StepIdSchema, action: z.enum(['start', 'stop']) }),
          body: z
            .object({ at: When.optional(), facts: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).optional() })
            .strict()
            .optional(),
          response: { 201: z.object({ jobId: z.string(), step: StepIdSchema, action: z.enum(['start', 'stop']), at: z.number() }) },
        },
      },
      async (req, reply) => {
        requireJob(req.params.id)
        const now = deps.clock.now()
        const at = req.body?.at ?? now
        deps.jobs.addMarker(req.params.id, { step: req.params.step, action: req.params.action, at, receivedAt: now, facts: req.body?.facts ?? {} })
        return reply.status(201).send({ jobId: req.params.id, step: req.params.step, action: req.params.action, at })
      },
    )

    app.get(
      '/jobs/:id/verdict',
      { schema: { summary: 'The verdict: each step and check, with what was measured', params: JobParams, response: { 200: VerdictSchema } } },
      async (req) => (await deps.monitor.current(req.params.id)) ?? raise(notFound(`job "${req.params.id}"`)),
    )

    app.get(
      '/jobs/:id/readings',
      {
        schema: {
          summary: "One channel's readings from the job's attached devices, in the canonical unit, with the values as sent where a device gave a unit",
          params: JobParams,
          querystring: z.object({
            channel: z.enum(CHANNEL_NAMES as [string, ...string[]]),
            from: z.coerce.number().int().min(0).default(0),
            to: z.coerce.number().int().positive().optional(),
          }),
          response: {
            200: z.object({
              channel: z.string(),
              unit: z.string(),
              points: z.array(z.tuple([z.number(), z.number()])).describe('[device time ms, value]'),
              conflicts: z
                .array(
                  z.object({
                    deviceId: z.string(),
                    ts: z.number(),
                    value: z.number().describe('the value first stored: the point above'),
                    receivedAt: z.number(),
                    sent: SentSchema.optional().describe('the first value as the device sent it, when it gave a unit'),
                    others: z
                      .array(z.object({ value: z.number(), receivedAt: z.number(), sent: SentSchema.optional().describe('as sent, when it gave a unit') }))
                      .describe('values re-sent later for the same device time, kept (the first 20)'),
                    truncated: z.boolean().optional().describe('true: more values were kept than listed'),
                  }),
                )
                .describe('points re-sent with a different value (nothing is dropped; a reviewer should look)'),
              sent: z
                .array(z.object({ deviceId: z.string(), ts: z.number(), value: z.number(), unit: z.string() }))
                .describe('the points whose device sent a unit, with the value and unit exactly as sent (the point above is its canonical conversion); a plain number sent is not listed'),
            }),
          },
        },
      },
      async (req) => {
        requireJob(req.params.id)
        const channel = req.query.channel as keyof typeof CHANNELS
        const to = req.query.to ?? deps.clock.now()
        const readings = await jobReadings(deps.store, deps.jobs.attachments(req.params.id), channel, req.query.from, to, { withSent: true })
        const points: [number, number][] = []
        const conflicts = []
        const sent: { deviceId: string; ts: number; value: number; unit: string }[] = []
        for (const r of readings) {
          points.push([r.ts, r.value])
          if (r.sent) sent.push({ deviceId: r.deviceId, ts: r.ts, value: r.sent.value, unit: r.sent.unit })
          if (r.conflict) {
            conflicts.push({
              deviceId: r.deviceId,
              ts: r.ts,
              value: r.value,
              receivedAt: r.receivedAt,
              ...(r.sent ? { sent: r.sent } : {}),
              others: r.conflict.others,
              ...(r.conflict.truncated ? { truncated: true } : {}),
            })
          }
        }
        return { channel, unit: CHANNELS[channel].unit, points, conflicts, sent }
      },
    )
  }

function raise(err: Error): never {
  throw err
}
