import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { DeviceExistsError } from '../../devices/device-registry.js'
import { DEVICE_KINDS } from '../../../contract/device-identity.js'
import { IdSchema } from '../../../contract/job.js'
import { ApiError, ErrorBodySchema } from '../api-error.js'
import type { ApiDeps } from '../api-deps.js'

const RegisterBody = z
  .object({
    id: IdSchema.refine((id) => id !== 'me', '"me" is reserved by the device API'),
    kind: z.enum(DEVICE_KINDS),
    model: z.string().min(1).max(100).optional(),
    bridgeFor: z.array(IdSchema).max(1000).optional().describe('Devices a bridge may publish for (v1/gateway/telemetry)'),
    team: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "team must be a team id (1-64 characters of a-z, 0-9, '-' or '_')")
      .optional()
      .describe("A service client's maintenance team: it may subscribe to v1/teams/<team>/# only"),
  })
  .strict()

export const deviceRoutes =
  (deps: Pick<ApiDeps, 'clock' | 'devices'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/devices',
      {
        schema: {
          summary: 'Register a device; its MQTT secret is returned only here',
          body: RegisterBody,
          response: { 201: z.object({ id: z.string(), secret: z.string() }), 409: ErrorBodySchema },
        },
      },
      async (req, reply) => {
        const { id, kind, model, bridgeFor, team } = req.body
        if ((kind === 'service') !== (team !== undefined)) {
          throw new ApiError(400, 'GW_ERR_VALIDATION', kind === 'service' ? 'body.team: a service client needs its team' : 'body.team: only a service client has a team')
        }
        if (kind !== 'bridge' && bridgeFor && bridgeFor.length > 0) {
          throw new ApiError(400, 'GW_ERR_VALIDATION', 'body.bridgeFor: only a bridge may publish for other devices')
        }
        try {
          const secret = deps.devices.register({ id, kind, model, bridgeFor, team }, deps.clock.now())
          return reply.status(201).send({ id, secret })
        } catch (err) {
          if (err instanceof DeviceExistsError) throw new ApiError(409, 'GW_ERR_CONFLICT', err.message)
          throw err
        }
      },
    )
  }
