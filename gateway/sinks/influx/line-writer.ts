/**
 * POSTs line protocol to InfluxDB's v1 /write endpoint (InfluxDB 1.x; 2.x/3.x through their
 * v1 compatibility API): what node-influx's writePoints sends, for a body built by
 * line-protocol.ts. One request at a time per forwarder; the socket is kept alive between
 * batches. No retries here: the forwarder backs off and tries again.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { InfluxRefusedError } from './influx-errors.js'

export interface LineWriterOptions {
  url: string
  database: string
  username?: string | undefined
  password?: string | undefined
  /** Give up on a request after this long (node-influx's requestTimeout, as before). */
  timeoutMs: number
}

/** Error bodies are InfluxDB's short JSON: a few hundred bytes kept for the message. */
const ERROR_BODY_BYTES = 512

export class LineWriter {
  private readonly base: URL
  private readonly agent: HttpAgent
  private readonly auth: string | undefined

  constructor(private readonly opts: LineWriterOptions) {
    this.base = new URL(opts.url)
    const https = this.base.protocol === 'https:'
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 2 }) : new HttpAgent({ keepAlive: true, maxSockets: 2 })
    this.auth = opts.username !== undefined ? `${opts.username}:${opts.password ?? ''}` : undefined
  }

  /** Writes the lines into retention policy `rp`; resolves on InfluxDB's 204. */
  write(body: string, rp: string, precision: 'ms' | 'u'): Promise<void> {
    const path = `${this.base.pathname.replace(/\/$/, '')}/write?${new URLSearchParams({ db: this.opts.database, rp, precision }).toString()}`
    const request = this.base.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<void>((resolve, reject) => {
      const req = request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port || (this.base.protocol === 'https:' ? 443 : 80),
          method: 'POST',
          path,
          agent: this.agent,
          ...(this.auth !== undefined ? { auth: this.auth } : {}),
          headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) },
          timeout: this.opts.timeoutMs,
        },
        (res) => answer(res, resolve, reject),
      )
      req.on('timeout', () => req.destroy(new Error(`InfluxDB did not answer a write within ${this.opts.timeoutMs} ms`)))
      req.on('error', reject)
      req.end(body)
    })
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.agent.destroy()
  }
}

function answer(res: IncomingMessage, resolve: () => void, reject: (e: Error) => void): void {
  const status = res.statusCode ?? 0
  let text = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    if (text.length < ERROR_BODY_BYTES) text += chunk.slice(0, ERROR_BODY_BYTES - text.length)
  })
  res.on('error', reject)
  res.on('end', () => {
    if (status >= 200 && status < 300) return resolve()
    const msg = `InfluxDB answered ${status}: ${text.trim()}`.trim()
    // 4xx: the request is refused as it is (retrying it will not help); 5xx: try again later.
    reject(status >= 400 && status < 500 ? new InfluxRefusedError(msg) : new Error(msg))
  })
}
