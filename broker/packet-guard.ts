/**
 * Packet-size guard in front of aedes's MQTT parser.
 *
 * aedes has no maximum packet size: mqtt-packet buffers whatever "remaining length" a client
 * declares (up to 256 MiB [MQTT-2.2.3]) before it emits the packet. This guard reads only the
 * fixed headers (type byte + remaining-length varint) as the bytes go by, skips over payloads
 * without copying them, and drops the connection as soon as a header declares too much.
 *
 * Where it sits: aedes consumes a connection with `conn.on('readable')` + `conn.read(null)` and
 * hands each chunk to the parser (lib/client.js nextBatch). `guardReadable` replaces `read` on
 * that one stream instance, so every byte the parser will ever see passes the scanner first, with
 * no extra stream, no extra buffering and no change to backpressure. A Duplex in between would
 * add a copy-free but not free hop per chunk (another buffer queue, another 'readable' tick) and
 * would have to forward writes, destroy, and errors both ways. The one caveat: a stream put into
 * flowing mode ('data' listener) bypasses read(); aedes never does that.
 */
import type { Readable } from 'node:stream'

export interface PacketGuardOptions {
  /** Largest whole packet (fixed header included) accepted once connected. */
  maxPacketBytes: number
  /** Largest first packet, which must be CONNECT [MQTT-3.1.0-1]; a real CONNECT is a few hundred bytes. */
  maxConnectBytes: number
}

export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024
export const DEFAULT_MAX_CONNECT_BYTES = 16 * 1024

export type GuardReason =
  | 'first-packet-not-connect'
  | 'connect-too-large'
  | 'packet-too-large'
  | 'malformed-remaining-length'
  | 'reserved-packet-type'
  | 'not-a-buffer'

export interface GuardViolation {
  reason: GuardReason
  /** Packet type (high nibble of the first byte), when known. */
  packetType?: number
  /** Whole packet size the header declared, when known. */
  declaredBytes?: number
}

const CONNECT_FIRST_BYTE = 0x10
const PHASE_TYPE = 0
const PHASE_LENGTH = 1

/**
 * Follows MQTT packet boundaries across arbitrary chunking. Pure: no I/O, so it can be
 * table-tested byte by byte. After it reports a violation the stream must be discarded.
 */
export class MqttFrameScanner {
  private phase = PHASE_TYPE
  private packetType = 0
  private length = 0
  private multiplier = 1
  private lengthBytes = 0
  /** Payload bytes of the current packet still to skip. */
  private skip = 0
  private packets = 0

  constructor(private readonly opts: PacketGuardOptions) {}

  scan(chunk: Buffer): GuardViolation | null {
    const end = chunk.length
    let i = 0
    while (i < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - i)
        this.skip -= n
        i += n
        continue
      }
      const byte = chunk[i++] as number
      if (this.phase === PHASE_TYPE) {
        this.packetType = byte >> 4
        // [MQTT-3.1.0-1]: the first packet from the client MUST be CONNECT, whose flags are
        // 0000 [MQTT-2.2.2-1] (which also turns away a TLS ClientHello, 0x16, on the plain port).
        if (this.packets === 0 && byte !== CONNECT_FIRST_BYTE) {
          return { reason: 'first-packet-not-connect', packetType: this.packetType }
        }
        // Type 0 is reserved in MQTT 3.1.1 (2.2.1); nothing legitimate sends it.
        if (this.packetType === 0) return { reason: 'reserved-packet-type', packetType: 0 }
        this.phase = PHASE_LENGTH
        this.length = 0
        this.multiplier = 1
        this.lengthBytes = 0
        continue
      }
      // Remaining length: 7 bits per byte, least significant first, at most 4 bytes [MQTT-2.2.3].
      this.length += (byte & 0x7f) * this.multiplier
      this.multiplier *= 128
      this.lengthBytes++
      if ((byte & 0x80) !== 0) {
        if (this.lengthBytes === 4) return { reason: 'malformed-remaining-length', packetType: this.packetType }
        continue
      }
      const declaredBytes = 1 + this.lengthBytes + this.length
      const first = this.packets === 0
      if (first && declaredBytes > this.opts.maxConnectBytes) {
        return { reason: 'connect-too-large', packetType: this.packetType, declaredBytes }
      }
      if (declaredBytes > this.opts.maxPacketBytes) {
        return { reason: 'packet-too-large', packetType: this.packetType, declaredBytes }
      }
      this.packets++
      this.skip = this.length
      this.phase = PHASE_TYPE
    }
    return null
  }
}

/** Where a stream's guard is kept: one symbol property instead of a per-socket closure or WeakMap entry. */
const GUARD = Symbol('mqtt packet guard')
type GuardedStream = Readable & { [GUARD]?: ReadGate }

/** Told once per stream, with the stream, when its guard trips (one shared callback, not one per socket). */
export type OnViolation = (violation: GuardViolation, stream: Readable) => void

/**
 * The guard of one stream: the frame scanner plus the read gate in one object, because it
 * exists once per connection (issue 8: memory per idle connection), and a scanner, a gate, a
 * read closure and their contexts cost several times one object.
 *
 * The gate lets the broker stop reading one connection for a while (publish rate limit) with
 * real TCP backpressure: while held, reads return nothing, so the stream buffer fills to its
 * highWaterMark, Node stops reading the socket and the kernel window closes on the sender.
 */
export class ReadGate extends MqttFrameScanner {
  private holding = false
  private refusedWhileHeld = false
  private tripped = false

  constructor(
    opts: PacketGuardOptions,
    private readonly stream: Readable,
    private readonly originalRead: Readable['read'],
    private readonly onViolation: OnViolation,
  ) {
    super(opts)
  }

  get held(): boolean {
    return this.holding
  }

  hold(): void {
    this.holding = true
  }

  release(): void {
    if (!this.holding) return
    this.holding = false
    if (!this.refusedWhileHeld) return
    this.refusedWhileHeld = false
    // The reader gave up on a null read and, with the buffer full, Node will not announce
    // data again by itself: aedes reads on 'readable' (lib/client.js nextBatch).
    setImmediate(() => {
      if (!this.stream.destroyed && !this.holding) this.stream.emit('readable')
    })
  }

  /** The stream's read(), scanned: null while held or after a violation. */
  read(size?: number): unknown {
    if (this.tripped) return null
    if (this.holding) {
      this.refusedWhileHeld = true
      return null
    }
    const chunk: unknown = this.originalRead.call(this.stream, size)
    if (chunk === null) return null
    const violation = Buffer.isBuffer(chunk) ? this.scan(chunk) : { reason: 'not-a-buffer' as const }
    if (violation === null) return chunk
    this.tripped = true
    this.onViolation(violation, this.stream)
    this.stream.destroy()
    return null
  }
}

// One function for every guarded stream; it finds the stream's guard on the stream itself.
function guardedRead(this: GuardedStream, size?: number): unknown {
  const guard = this[GUARD]
  return guard === undefined ? null : guard.read(size)
}

/** The guard put on `stream` by guardReadable, if any. */
export function gateOf(stream: object): ReadGate | undefined {
  return (stream as GuardedStream)[GUARD]
}

/**
 * Puts a MqttFrameScanner in front of everything read from `stream`. On a violation the chunk is
 * withheld from the reader, `onViolation` is told, and only this stream is destroyed.
 * Call before `aedes.handle(stream)`.
 */
export function guardReadable(stream: Readable, opts: PacketGuardOptions, onViolation: OnViolation): ReadGate {
  const guarded = stream as GuardedStream
  const gate = new ReadGate(opts, stream, stream.read, onViolation)
  guarded[GUARD] = gate
  guarded.read = guardedRead
  return gate
}
