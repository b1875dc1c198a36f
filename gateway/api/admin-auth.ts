/** Bearer-token check for the admin API; constant-time so the token cannot be guessed byte by byte. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { ApiError } from './api-error.js'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/**
 * 'none' without an Authorization header, 'valid' when it carries one of `tokens`, else
 * 'invalid'. Every token is compared (no early exit), each in constant time.
 */
export function bearerStatus(req: FastifyRequest, tokens: readonly string[]): 'none' | 'valid' | 'invalid' {
  const header = req.headers.authorization
  if (header === undefined || header === '') return 'none'
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) return 'invalid'
  const given = digest(match[1]!)
  let ok = false
  for (const token of tokens) if (timingSafeEqual(given, digest(token))) ok = true
  return ok ? 'valid' : 'invalid'
}

/** Refuses a request without one of `tokens`; `names` says which variables hold them, for the message. */
export function bearerAuth(token: string | readonly string[], names = 'GW_ADMIN_TOKEN'): (req: FastifyRequest) => Promise<void> {
  const tokens = typeof token === 'string' ? [token] : token
  return async (req) => {
    if (bearerStatus(req, tokens) !== 'valid') {
      throw new ApiError(401, 'GW_ERR_UNAUTHORIZED', `missing or wrong bearer token (Authorization: Bearer <${names}>)`)
    }
  }
}
