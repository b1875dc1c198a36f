/** Bearer-token check for the admin API; constant-time so the token cannot be guessed byte by byte. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { ApiError } from './api-error.js'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export function bearerAuth(adminToken: string): (req: FastifyRequest) => Promise<void> {
  const expected = digest(adminToken)
  return async (req) => {
    const header = req.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new ApiError(401, 'GW_ERR_UNAUTHORIZED', 'missing or wrong bearer token (Authorization: Bearer <GW_ADMIN_TOKEN>)')
    }
  }
}
