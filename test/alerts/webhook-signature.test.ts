import { execFileSync } from 'node:child_process'

import { describe, expect, it } from 'vitest'

import { signWebhook, verifyWebhook } from '../../gateway/alerts/webhook-signature.js'

// The Standard Webhooks reference vector (standard-webhooks test suite, svix go/webhook_test.go
// TestWebhookSign): secret, id, timestamp, payload and the signature they publish.
const REF = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestampS: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}

// A second secret: 32 bytes 0x00..0x1f.
const SECRET2 = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='

/** HMAC-SHA256 by openssl, not by node: an independent computation of the expected signature. */
function opensslSig(secret: string, signed: string): string {
  const hexKey = Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex')
  const raw = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${hexKey}`, '-binary'], { input: signed })
  return 'v1,' + raw.toString('base64')
}

const NOW = REF.timestampS * 1000

describe('webhook signature: sign', () => {
  it('matches the Standard Webhooks reference vector', () => {
    expect(signWebhook({ id: REF.id, timestampS: REF.timestampS, body: REF.body, secrets: [REF.secret] })).toEqual({
      'webhook-id': REF.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': REF.signature,
    })
  })

  it('matches openssl for an alert body with non-ASCII text, and lists one entry per secret while rotating', () => {
    const body = JSON.stringify({ type: 'alert.raised', alert: { id: 'a1', deviceId: 'unit-1', fault: 'leakage', message: '漏电流 4 mA > 3.5 mA' } })
    const h = signWebhook({ id: 'alert_a1_raise', timestampS: 1764590400, body, secrets: [SECRET2, REF.secret] })
    expect(h['webhook-signature']).toBe(`${opensslSig(SECRET2, `alert_a1_raise.1764590400.${body}`)} ${opensslSig(REF.secret, `alert_a1_raise.1764590400.${body}`)}`)
    expect(signWebhook({ id: 'x', timestampS: 1, body: Buffer.from(body), secrets: [SECRET2] })['webhook-signature']).toBe(opensslSig(SECRET2, `x.1.${body}`))
  })

  it('refuses bad input with the reason, never echoing the secret', () => {
    expect(() => signWebhook({ id: 'm', timestampS: 1, body: '', secrets: ['whsec_short'] })).toThrow(/webhook secret after 'whsec_' must be standard base64/)
    expect(() => signWebhook({ id: 'm', timestampS: 1, body: '', secrets: ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] })).toThrow(/^webhook secret must start with 'whsec_'[^M]*$/)
    expect(() => signWebhook({ id: 'm', timestampS: 1.5, body: '', secrets: [SECRET2] })).toThrow(/whole Unix seconds, got 1.5/)
    expect(() => signWebhook({ id: 'a b', timestampS: 1, body: '', secrets: [SECRET2] })).toThrow(/webhook id/)
    expect(() => signWebhook({ id: 'm', timestampS: 1, body: '', secrets: [] })).toThrow(/at least one secret/)
  })
})

describe('webhook signature: verify', () => {
  const headers = { 'webhook-id': REF.id, 'webhook-timestamp': String(REF.timestampS), 'webhook-signature': REF.signature }
  const v = (over: Partial<Parameters<typeof verifyWebhook>[0]> = {}) => verifyWebhook({ headers, body: REF.body, secrets: [REF.secret], nowMs: NOW, ...over })

  it('accepts the reference message, and one good entry among others (rotation, other versions)', () => {
    expect(v()).toEqual({ ok: true })
    expect(v({ headers: { ...headers, 'webhook-signature': `v1a,AAAA v1,bm90IGl0 ${REF.signature}` } })).toEqual({ ok: true })
    expect(v({ secrets: [SECRET2, REF.secret] })).toEqual({ ok: true })
  })

  it('rejects a changed body, a wrong secret, a changed id, a truncated signature', () => {
    const noMatch = { ok: false, reason: 'no v1 signature in webhook-signature matches (wrong secret, or the body was changed)' }
    expect(v({ body: '{"test": 2432232315}' })).toEqual(noMatch)
    expect(v({ secrets: [SECRET2] })).toEqual(noMatch)
    expect(v({ headers: { ...headers, 'webhook-id': 'msg_other' } })).toEqual(noMatch)
    expect(v({ headers: { ...headers, 'webhook-signature': REF.signature.slice(0, -4) } })).toEqual(noMatch)
    expect(v({ headers: { ...headers, 'webhook-signature': REF.signature.replace('v1,', 'v2,') } })).toEqual(noMatch)
  })

  it('accepts within 5 min either way, rejects beyond (replay)', () => {
    expect(v({ nowMs: NOW + 300_000 })).toEqual({ ok: true })
    expect(v({ nowMs: NOW - 300_000 })).toEqual({ ok: true })
    expect(v({ nowMs: NOW + 301_000 })).toEqual({ ok: false, reason: 'webhook-timestamp is 301 s old (more than 300 s): a replay or a delayed message' })
    expect(v({ nowMs: NOW - 301_000 })).toEqual({ ok: false, reason: 'webhook-timestamp is 301 s in the future (more than 300 s)' })
  })

  it('missing or malformed headers are rejected with the reason', () => {
    expect(v({ headers: { 'webhook-id': REF.id, 'webhook-timestamp': '1614265330' } })).toEqual({ ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' })
    expect(v({ headers: { ...headers, 'webhook-timestamp': '1614265330.5' } })).toMatchObject({ ok: false, reason: expect.stringContaining('not whole Unix seconds') })
    expect(v({ headers: { ...headers, 'webhook-signature': ' '.repeat(100_000) + REF.signature } }).ok).toBe(false)
  })
})
