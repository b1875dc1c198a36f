/**
 * One team's webhook as an outbox sink (gateway/outbox/): each row is one message, POSTed as
 * queued, signed per Standard Webhooks (webhook-signature.ts). The `webhook-id` was fixed when
 * the row was queued, so a retry (or a restart) sends the same id and the receiver can
 * de-duplicate; `webhook-timestamp` and the signature are made anew for every attempt (the
 * spec's replay window is 5 minutes, and a retry can come hours later).
 *
 * Rows go one at a time in order: the first that fails stops the batch (the rows before it
 * are acknowledged here, so they are not sent again), which keeps the team's order.
 * A 2xx is delivered; anything else, a timeout or a refused connection is a failure the
 * drainer retries with backoff. A row whose payload does not parse is a programming error
 * kept visible: it fails with its reason until it is parked.
 */
import type { Clock } from '../../clock.js'
import type { Outbox, OutboxRow, Sink } from '../../outbox/outbox.js'
import { signWebhook } from '../webhook-signature.js'

export interface WebhookRow {
  /** The Standard Webhooks message id ("msg_" + 32 hex). */
  id: string
  /** The exact JSON body. */
  body: string
}

export function parseWebhookRow(payload: string | null): WebhookRow {
  const v: unknown = payload === null ? null : JSON.parse(payload)
  if (typeof v !== 'object' || v === null || typeof (v as WebhookRow).id !== 'string' || typeof (v as WebhookRow).body !== 'string') {
    throw new Error('webhook outbox row has no id and body')
  }
  return v as WebhookRow
}

export interface WebhookSinkOptions {
  name: string
  url: string
  secrets: readonly string[]
  clock: Clock
  outbox: Outbox
  timeoutMs: number
}

export class WebhookSink implements Sink {
  readonly name: string

  constructor(private readonly opts: WebhookSinkOptions) {
    this.name = opts.name
  }

  async deliver(rows: readonly OutboxRow[]): Promise<void> {
    for (const row of rows) {
      await this.post(parseWebhookRow(row.payload))
      // Acknowledged now: a later row's failure must not send this one again.
      this.opts.outbox.ack(this.name, row.id)
    }
  }

  private async post(m: WebhookRow): Promise<void> {
    const { url, secrets, clock, timeoutMs } = this.opts
    const headers = signWebhook({ id: m.id, timestampS: Math.floor(clock.now() / 1000), body: m.body, secrets })
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: m.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      throw new Error(`webhook ${url}: ${describe(err, timeoutMs)}`)
    }
    // The body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined)
    if (res.status < 200 || res.status > 299) throw new Error(`webhook ${url}: answered HTTP ${res.status} (a 2xx is needed)`)
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined
  const code = cause instanceof Error ? ((cause as Error & { code?: string }).code ?? cause.message) : undefined
  if (code !== undefined) return `${code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : code}`
  return err instanceof Error ? err.message : String(err)
}
