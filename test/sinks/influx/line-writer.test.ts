/**
 * The reading points' HTTP write (gateway/sinks/influx/line-writer.ts) against a local HTTP
 * server standing in for InfluxDB's /write: the request node-influx made (path, query, body,
 * basic auth), 204 resolves, a 4xx is refused (not retried), a 5xx and a timeout are errors the
 * forwarder retries.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { InfluxRefusedError } from '../../../gateway/sinks/influx/influx-client.js'
import { LineWriter } from '../../../gateway/sinks/influx/line-writer.js'

let server: Server | undefined
let writer: LineWriter | undefined
afterEach(async () => {
  writer?.close()
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = undefined
})

interface Seen {
  url: string
  auth: string | undefined
  body: string
}

async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, body })
      answer(req, res)
    })
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/influx`, seen }
}

it('POSTs the lines to /write with db, rp, precision and basic auth; 204 resolves', async () => {
  const s = await serve((_req, res) => res.writeHead(204).end())
  writer = new LineWriter({ url: s.url, database: 'hvac db', username: 'gw', password: 'pw', timeoutMs: 5000 })
  await writer.write('telemetry,device_id=m v=1 5', 'in_service', 'ms')
  await writer.write('telemetry,device_id=m v=2 6', 'in_service', 'ms')
  expect(s.seen).toEqual([
    { url: '/influx/write?db=hvac+db&rp=in_service&precision=ms', auth: `Basic ${Buffer.from('gw:pw').toString('base64')}`, body: 'telemetry,device_id=m v=1 5' },
    { url: '/influx/write?db=hvac+db&rp=in_service&precision=ms', auth: `Basic ${Buffer.from('gw:pw').toString('base64')}`, body: 'telemetry,device_id=m v=2 6' },
  ])
})

it('a 4xx is refused with what InfluxDB said; a 5xx is an error to retry', async () => {
  let status = 400
  const s = await serve((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"unable to parse \'x\': bad timestamp"}'))
  writer = new LineWriter({ url: s.url, database: 'd', timeoutMs: 5000 })
  const refused = await writer.write('x', 'autogen', 'ms').catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(InfluxRefusedError)
  expect((refused as Error).message).toBe('InfluxDB answered 400: {"error":"unable to parse \'x\': bad timestamp"}')
  status = 503
  const unavailable = await writer.write('x', 'autogen', 'ms').catch((e: unknown) => e)
  expect(unavailable).toBeInstanceOf(Error)
  expect(unavailable).not.toBeInstanceOf(InfluxRefusedError)
  expect((unavailable as Error).message).toMatch(/^InfluxDB answered 503: /)
  expect(s.seen[0]!.auth).toBeUndefined()
})

it('gives up on a write that gets no answer within the timeout', async () => {
  const s = await serve(() => undefined) // never answers
  writer = new LineWriter({ url: s.url, database: 'd', timeoutMs: 200 })
  await expect(writer.write('x', 'autogen', 'ms')).rejects.toThrow('InfluxDB did not answer a write within 200 ms')
})
