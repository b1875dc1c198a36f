/**
 * What the alert end-to-end tests share (issue 11): a teams file (north: webhook + MQTT,
 * escalating to supervisors: webhook + SSE), a webhook receiver on 127.0.0.1 that refuses
 * the first deliveries and checks Standard Webhooks signatures with its own code
 * (node:crypto HMAC-SHA256, not the gateway's), and waiting while the manual clock moves.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { AlertOutline } from '../../firmware-sim/alert-expectation.js'
import type { ManualClock } from '../../gateway/clock.js'

export const INSTALLER = 'inst-north'
export const SECRET = `whsec_${randomBytes(32).toString('base64')}`

export interface Delivery {
  path: string
  id: string
  timestampS: number
  signatureOk: boolean
  body: { type: string; timestamp: string; data: unknown }
  raw: string
}

export interface Receiver {
  url: string
  /** Requests answered 2xx, in arrival order (a retry of a refused one has the same webhook-id). */
  accepted: Delivery[]
  /** Requests refused (the first `failFirst`). */
  refused: Delivery[]
  close(): Promise<void>
}

/** Standard Webhooks v1: base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed with the secret's base64 part; any listed signature may match. */
export function verifySignature(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest()
  return header.split(' ').some((entry) => {
    const [version, sig] = entry.split(',', 2)
    if (version !== 'v1' || sig === undefined) return false
    const got = Buffer.from(sig, 'base64')
    return got.length === expected.length && timingSafeEqual(got, expected)
  })
}

export async function startReceiver(failFirst: number): Promise<Receiver> {
  const accepted: Delivery[] = []
  const refused: Delivery[] = []
  let seen = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const id = String(req.headers['webhook-id'] ?? '')
      const ts = String(req.headers['webhook-timestamp'] ?? '')
      const d: Delivery = {
        path: req.url ?? '',
        id,
        timestampS: Number(ts),
        signatureOk: verifySignature(SECRET, id, ts, raw, String(req.headers['webhook-signature'] ?? '')),
        body: JSON.parse(raw) as Delivery['body'],
        raw,
      }
      if (seen++ < failFirst) {
        refused.push(d)
        res.writeHead(503).end('not yet')
      } else {
        accepted.push(d)
        res.writeHead(204).end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, accepted, refused, close: () => new Promise((r) => server.close(() => r())) }
}

/** north (webhook /north + MQTT) covers the installer's units and escalates to supervisors (webhook /supervisors + SSE). */
export function writeTeamsFile(dir: string, receiverUrl: string): string {
  const path = join(dir, 'teams.json')
  writeFileSync(
    path,
    JSON.stringify({
      teams: [
        { id: 'north', name: 'North district maintenance', escalatesTo: 'supervisors', deliveries: [{ kind: 'mqtt' }, { kind: 'webhook', url: `${receiverUrl}/north`, secret: SECRET }], rateLimit: { windowS: 60, maxPerWindow: 5, maxListed: 50 } },
        { id: 'supervisors', name: 'Service supervisors', deliveries: [{ kind: 'webhook', url: `${receiverUrl}/supervisors`, secret: SECRET }, { kind: 'sse' }] },
      ],
      routes: [{ team: 'north', installers: [INSTALLER] }],
      defaultTeam: 'supervisors',
    }),
  )
  return path
}

/**
 * Waits for `predicate`, moving the manual clock `stepMs` each turn (at most `maxAdvanceMs` in
 * all: retries and backoff are on the gateway clock) and giving the event loop real time.
 */
export async function eventually(clock: ManualClock, predicate: () => boolean | Promise<boolean>, what: string, opts: { stepMs?: number; maxAdvanceMs?: number; realMs?: number } = {}): Promise<void> {
  const step = opts.stepMs ?? 1000
  const maxAdvance = opts.maxAdvanceMs ?? 0
  const deadline = Date.now() + (opts.realMs ?? 15_000)
  let advanced = 0
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (clock moved ${advanced / 1000} s)`)
    if (advanced < maxAdvance) {
      clock.advance(step)
      advanced += step
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Plain alert fields the tests read (the gateway's Alert, gateway/alerts/alert-lifecycle.ts). */
export interface AlertView extends AlertOutline {
  triggers: number
  faultCount: number
  chain: string[]
  teamIndex: number
  escalations: { level: number; fromTeam: string; toTeam: string; missed: string }[]
}
