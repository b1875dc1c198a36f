/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: answers each request as told by `plan`
 * ('fail' = 500, 'hang' = no answer until closed, 'ok' = 204), verifies every request's
 * Standard Webhooks signature with the secret and the test's clock, and de-duplicates by
 * webhook-id the way a receiver should. `down()` closes the port (the next attempt is
 * refused); `up()` opens the same port again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { Clock } from '../../../gateway/clock.js'
import { verifyWebhook } from '../../../gateway/alerts/webhook-signature.js'

export interface Received {
  id: string
  timestamp: string
  body: string
  verified: boolean
  reason: string | undefined
  answered: 'fail' | 'hang' | 'ok'
}

export class WebhookReceiver {
  readonly requests: Received[] = []
  /** Accepted messages, each id once, in the order they were first accepted. */
  readonly delivered: { id: string; body: unknown }[] = []
  /** How the next requests are answered; 'ok' once it runs out. */
  plan: ('fail' | 'hang' | 'ok')[] = []
  private server: Server | undefined
  private readonly hanging: ServerResponse[] = []
  port = 0

  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/alerts`
  }

  async up(): Promise<void> {
    const server = (this.server = createServer((req, res) => this.handle(req, res)))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
  }

  async down(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    for (const res of this.hanging.splice(0)) res.destroy()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const v = verifyWebhook({ headers: req.headers, body, secrets: [this.secret], nowMs: this.clock.now() })
      const answered = this.plan.shift() ?? 'ok'
      this.requests.push({
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        body,
        verified: v.ok,
        reason: v.ok ? undefined : v.reason,
        answered,
      })
      if (answered === 'hang') {
        this.hanging.push(res)
        return
      }
      if (answered === 'fail') {
        res.writeHead(500).end('receiver failing on purpose')
        return
      }
      if (!v.ok) {
        res.writeHead(401).end(v.reason)
        return
      }
      const id = String(req.headers['webhook-id'])
      if (!this.delivered.some((d) => d.id === id)) this.delivered.push({ id, body: JSON.parse(body) })
      res.writeHead(204).end()
    })
  }
}
