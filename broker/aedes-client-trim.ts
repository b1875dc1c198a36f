/**
 * Three allocations aedes 1.2 makes for every connection that an idle device does not need,
 * taken back without changing what the client does (issue 8: RSS per idle connection ≤ 10 KB;
 * measured with `BENCH_ONLY=conns npm run bench`, see the report of h/conn):
 *
 * - Its MQTT parser (mqtt-packet 9, parser.js `_resetState`) buffers input in `bl()`, a
 *   BufferListStream: a full readable-stream Duplex (two stream states, an event table) around
 *   a BufferList. The parser calls only BufferList methods on it (append, consume, length,
 *   readUInt8/16BE/32BE, slice, toString), so a plain BufferList from the same `bl` does the
 *   same work; about 0.9 KB less per connection.
 * - After CONNECT the parser keeps the whole CONNECT packet as `settings` (parser.js
 *   `_parseConnect`: "need for right parse auth packet"), and with it the client id, user name
 *   and the device's secret (a Buffer slice that pins the socket's read chunk) for as long as the
 *   connection lives. What later parsing reads from `settings` is `protocolVersion` and
 *   `bridgeMode` (parser.js); the packet itself stays with aedes's CONNECT handling, which has
 *   its own reference. About 0.3 KB less, and the secret is not kept in memory.
 *
 * - Its client watches the socket with `stream.finished()` (lib/client.js `_eos`): seven
 *   closures, a bound function and their context per connection, to call `client.close()` when
 *   the socket ends, errors or closes. aedes already closes the client on 'end' and on 'error'
 *   (its own listeners), so one shared 'close' listener that calls `client.close()` (idempotent)
 *   does the rest; about 0.7 KB less.
 *
 * These are private fields of aedes and mqtt-packet, so each trim first checks that the shape is
 * the one described here and otherwise leaves the client alone (a newer aedes then costs memory,
 * never behaviour). test/broker/client-trim.test.ts fails if a trim stops applying.
 */
import type { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'

interface BufferListLike {
  length: number
  append(buf: Buffer): unknown
  consume(n: number): unknown
}

interface ParserSettings {
  protocolVersion?: number
  bridgeMode?: boolean
}

interface ParserInternals {
  _list?: unknown
  settings?: ParserSettings
}

/** The plain BufferList of the `bl` that aedes's mqtt-packet uses (resolved from there, not from here). */
function loadBufferList(): (new () => BufferListLike) | undefined {
  try {
    const fromAedes = createRequire(createRequire(import.meta.url).resolve('aedes'))
    const fromMqttPacket = createRequire(fromAedes.resolve('mqtt-packet'))
    const bl = fromMqttPacket('bl') as { BufferList?: new () => BufferListLike; BufferListStream?: unknown }
    return typeof bl.BufferList === 'function' ? bl.BufferList : undefined
  } catch {
    return undefined
  }
}

const BufferList = loadBufferList()

function parserOf(client: object): ParserInternals | undefined {
  const parser = (client as { _parser?: unknown })._parser
  return typeof parser === 'object' && parser !== null ? (parser as ParserInternals) : undefined
}

interface ClosableClient {
  close(): void
  _eos?: () => void
}

const noop = (): void => {}

// One function for every trimmed socket; aedes sets `conn.client` (lib/client.js constructor).
function closeClientOnClose(this: { client?: ClosableClient }): void {
  this.client?.close()
}

/**
 * Right after `aedes.handle(socket)`, before any byte is parsed: the parser's buffer becomes a
 * plain BufferList, and the client's stream.finished() watch becomes one shared 'close'
 * listener. Returns which trims applied.
 */
export function trimNewClient(client: object, conn: EventEmitter): { list: boolean; finished: boolean } {
  return { list: trimParserList(client), finished: trimFinishedWatch(client, conn) }
}

function trimParserList(client: object): boolean {
  const parser = parserOf(client)
  const list = parser?._list as (BufferListLike & { _readableState?: unknown }) | undefined
  if (parser === undefined || BufferList === undefined || list === undefined) return false
  // Only a still-empty stream-flavoured list is replaced (nothing buffered can be lost).
  if (list.length !== 0 || typeof list._readableState !== 'object' || typeof list.append !== 'function') return false
  parser._list = new BufferList()
  return true
}

function trimFinishedWatch(client: object, conn: EventEmitter): boolean {
  const c = client as Partial<ClosableClient>
  if (typeof c._eos !== 'function' || typeof c.close !== 'function' || (conn as { client?: unknown }).client !== client) return false
  // The cleanup stream.finished() returned: removes its listeners. client.close() calls _eos
  // again, so it becomes a no-op (as aedes itself does after calling it).
  c._eos()
  c._eos = noop
  conn.on('close', closeClientOnClose)
  return true
}

/**
 * When aedes handles the CONNECT (preConnect): the parser keeps only what it reads later,
 * not the packet with the device's secret. true = trimmed.
 */
export function trimConnectedClient(client: object, packet: object): boolean {
  const parser = parserOf(client)
  if (parser?.settings !== packet) return false
  const settings: ParserSettings = {}
  const { protocolVersion, bridgeMode } = parser.settings
  if (protocolVersion !== undefined) settings.protocolVersion = protocolVersion
  if (bridgeMode !== undefined) settings.bridgeMode = bridgeMode
  parser.settings = settings
  return true
}
