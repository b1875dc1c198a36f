/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/, spec "Signature scheme"):
 *
 *   webhook-id:        a unique message id (the same on every retry, so receivers de-duplicate)
 *   webhook-timestamp: integer Unix seconds of this attempt
 *   webhook-signature: "v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>", several
 *                      space-separated while a secret is rotated
 *
 * where key = base64-decode(secret without "whsec_"). The body is signed as the exact bytes
 * sent. verify() rejects a timestamp more than 5 minutes from `now` either way (the spec's
 * replay protection) and compares in constant time (crypto.timingSafeEqual).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

import { webhookSecretProblem } from './teams-config.js'

export const WEBHOOK_TOLERANCE_S = 5 * 60

export interface WebhookHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

function keyOf(secret: string): Buffer {
  const problem = webhookSecretProblem(secret)
  // The secret itself is never put in the message.
  if (problem !== null) throw new Error(`webhook secret ${problem}`)
  return Buffer.from(secret.slice('whsec_'.length), 'base64')
}

function mac(key: Buffer, id: string, timestampS: number, body: string | Buffer): Buffer {
  const h = createHmac('sha256', key)
  h.update(`${id}.${timestampS}.`)
  h.update(body)
  return h.digest()
}

/**
 * The three headers for one attempt. `secrets`: the current secret, plus the old one while it
 * is rotated out (each gives one "v1," entry). Throws on a malformed secret (the config
 * validates them at start, so this is a programming error).
 */
export function signWebhook(m: { id: string; timestampS: number; body: string | Buffer; secrets: readonly string[] }): WebhookHeaders {
  if (m.secrets.length === 0) throw new Error('signWebhook needs at least one secret')
  if (!Number.isInteger(m.timestampS) || m.timestampS < 0) throw new Error(`webhook timestamp must be whole Unix seconds, got ${m.timestampS}`)
  if (m.id === '' || /[\s.]/.test(m.id)) throw new Error(`webhook id must be non-empty without spaces or dots, got '${m.id}'`)
  const sigs: string[] = []
  for (const s of m.secrets) sigs.push('v1,' + mac(keyOf(s), m.id, m.timestampS, m.body).toString('base64'))
  return { 'webhook-id': m.id, 'webhook-timestamp': String(m.timestampS), 'webhook-signature': sigs.join(' ') }
}

export type VerifyResult = { ok: true } | { ok: false; reason: string }

const header = (h: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined => {
  const v = h[name] ?? h[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

/**
 * Checks a received message. `headers` as node's http gives them (lower-case names);
 * `secrets`: every secret still accepted; `nowMs`: the receiver's clock.
 */
export function verifyWebhook(m: {
  headers: Readonly<Record<string, string | string[] | undefined>>
  body: string | Buffer
  secrets: readonly string[]
  nowMs: number
  toleranceS?: number
}): VerifyResult {
  const id = header(m.headers, 'webhook-id')
  const ts = header(m.headers, 'webhook-timestamp')
  const sig = header(m.headers, 'webhook-signature')
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: `webhook-timestamp '${ts.slice(0, 20)}' is not whole Unix seconds` }
  const tsS = Number(ts)
  const tol = m.toleranceS ?? WEBHOOK_TOLERANCE_S
  const skewS = m.nowMs / 1000 - tsS
  if (skewS > tol) return { ok: false, reason: `webhook-timestamp is ${Math.round(skewS)} s old (more than ${tol} s): a replay or a delayed message` }
  if (-skewS > tol) return { ok: false, reason: `webhook-timestamp is ${Math.round(-skewS)} s in the future (more than ${tol} s)` }
  const expected: Buffer[] = []
  for (const s of m.secrets) expected.push(mac(keyOf(s), id, tsS, m.body))
  // Bound the work a hostile header can cause: at most 10 entries are looked at.
  const entries = sig.split(' ', 10)
  for (const e of entries) {
    const comma = e.indexOf(',')
    if (comma < 0 || e.slice(0, comma) !== 'v1') continue // other versions (v1a = ed25519) are not ours
    const got = Buffer.from(e.slice(comma + 1), 'base64')
    for (const want of expected) if (got.length === want.length && timingSafeEqual(got, want)) return { ok: true }
  }
  return { ok: false, reason: 'no v1 signature in webhook-signature matches (wrong secret, or the body was changed)' }
}
