/**
 * The e2e webhook receiver's own signature check (alerts-site.ts, node:crypto, independent of
 * gateway/alerts/webhook-signature.ts) against the Standard Webhooks specification's
 * published example, so the delivery tests' "signatureOk" means what it says.
 */
import { expect, it } from 'vitest'
import { verifySignature } from './alerts-site.js'

// https://www.standardwebhooks.com/ (the specification's example, also in docs/alerts.md).
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek'
const TS = '1614265330'
const SIG = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='

it('accepts the specification example, also among several signatures (rotation)', () => {
  expect(verifySignature(SECRET, ID, TS, '{"test": 2432232314}', SIG)).toBe(true)
  expect(verifySignature(SECRET, ID, TS, '{"test": 2432232314}', `v1,AAAA ${SIG}`)).toBe(true)
})

it('refuses a changed body, id or timestamp, another version, or no signature', () => {
  expect(verifySignature(SECRET, ID, TS, '{"test": 2432232315}', SIG)).toBe(false)
  expect(verifySignature(SECRET, 'msg_other', TS, '{"test": 2432232314}', SIG)).toBe(false)
  expect(verifySignature(SECRET, ID, '1614265331', '{"test": 2432232314}', SIG)).toBe(false)
  expect(verifySignature(SECRET, ID, TS, '{"test": 2432232314}', SIG.replace('v1,', 'v2,'))).toBe(false)
  expect(verifySignature(SECRET, ID, TS, '{"test": 2432232314}', '')).toBe(false)
})
