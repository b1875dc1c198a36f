/** Coded HTTP errors and the one handler that turns any error into {error: {code, message}}. */
import type { FastifyError, FastifyInstance } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AlertErrorCode, HttpErrorCode } from '../../contract/errors.js'
import type { Log } from '../log.js'

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: HttpErrorCode | AlertErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'GW_ERR_NOT_FOUND', `${what} not found`)

export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

export function installErrorHandler(app: FastifyInstance, log: Log): void {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } })
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request'
      const message = err.validation
        .map((v) => `${where}${v.instancePath.replaceAll('/', '.')}: ${v.message ?? 'invalid'}`)
        .join('; ')
      return reply.status(400).send({ error: { code: 'GW_ERR_VALIDATION', message } })
    }
    const status = err.statusCode ?? 500
    if (status < 500) {
      // fastify's own 4xx (bad JSON, body too large, wrong content type) say what was wrong.
      const code: HttpErrorCode = status === 413 ? 'GW_ERR_TOO_LARGE' : status === 415 ? 'GW_ERR_UNSUPPORTED_MEDIA_TYPE' : 'GW_ERR_BAD_REQUEST'
      return reply.status(status).send({ error: { code, message: err.message } })
    }
    log('error', 'request failed', { method: req.method, url: req.url, err: err.stack ?? String(err) })
    return reply.status(500).send({ error: { code: 'GW_ERR_INTERNAL', message: 'internal error; see the gateway log' } })
  })
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'GW_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url}` } })
  })
}
