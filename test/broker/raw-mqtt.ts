/**
 * A deliberately tiny MQTT 3.1.1 client over a raw socket, for tests that must control the
 * exact bytes on the wire (pipelining, garbage, oversized headers) or see every byte received.
 */
import { type Socket, connect } from 'node:net'

export function remainingLength(n: number): Buffer {
  const out: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return Buffer.from(out)
}

function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s
  const len = Buffer.alloc(2)
  len.writeUInt16BE(b.length)
  return Buffer.concat([len, b])
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body])
}

export function connectPacket(opts: {
  clientId: string | Buffer
  username?: string
  password?: string | Buffer
  keepalive?: number
  /** CleanSession flag; default true. */
  clean?: boolean
  /** 4 = MQTT 3.1.1 (default), 3 = MQTT 3.1 ("MQIsdp"), 5 = MQTT 5 (empty properties). */
  protocolVersion?: 3 | 4 | 5
}): Buffer {
  let flags = opts.clean === false ? 0 : 0x02
  if (opts.username !== undefined) flags |= 0x80
  if (opts.password !== undefined) flags |= 0x40
  const keepalive = Buffer.alloc(2)
  keepalive.writeUInt16BE(opts.keepalive ?? 0)
  const version = opts.protocolVersion ?? 4
  const parts = [str(version === 3 ? 'MQIsdp' : 'MQTT'), Buffer.from([version, flags]), keepalive]
  if (version === 5) parts.push(Buffer.from([0])) // property length 0
  parts.push(str(opts.clientId))
  if (opts.username !== undefined) parts.push(str(opts.username))
  if (opts.password !== undefined) parts.push(str(opts.password))
  return packet(0x10, Buffer.concat(parts))
}

export function publishPacket(topic: string | Buffer, payload: Buffer | string, qos: 0 | 1 = 0, messageId = 1): Buffer {
  const id = Buffer.alloc(2)
  id.writeUInt16BE(messageId)
  const body = [str(topic)]
  if (qos > 0) body.push(id)
  body.push(typeof payload === 'string' ? Buffer.from(payload) : payload)
  return packet(0x30 | (qos << 1), Buffer.concat(body))
}

export function subscribePacket(topics: Array<string | Buffer>, messageId = 1, qos: 0 | 1 = 1): Buffer {
  const id = Buffer.alloc(2)
  id.writeUInt16BE(messageId)
  return packet(0x82, Buffer.concat([id, ...topics.map((t) => Buffer.concat([str(t), Buffer.from([qos])]))]))
}

export const PINGREQ = Buffer.from([0xc0, 0x00])

export interface RawPacket {
  type: number
  body: Buffer
}

/** Collects every complete packet the broker sends back, and whether the socket closed. */
export class RawClient {
  readonly packets: RawPacket[] = []
  readonly closed: Promise<void>
  private buffer = Buffer.alloc(0)
  private waiters: Array<() => void> = []

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.split()
      for (const wake of this.waiters.splice(0)) wake()
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Resolves with the first received packet of `type` (high nibble), e.g. 2 = CONNACK. */
  async waitFor(type: number): Promise<RawPacket> {
    for (;;) {
      const found = this.packets.find((p) => p.type === type)
      if (found) return found
      if (this.socket.destroyed) throw new Error(`socket closed before packet type ${type}`)
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), this.closed])
    }
  }

  has(type: number): boolean {
    return this.packets.some((p) => p.type === type)
  }

  destroy(): void {
    this.socket.destroy()
  }

  private split(): void {
    for (;;) {
      if (this.buffer.length < 2) return
      let length = 0
      let multiplier = 1
      let i = 1
      for (;;) {
        const byte = this.buffer[i]
        if (byte === undefined) return
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        i++
        if ((byte & 0x80) === 0) break
      }
      if (this.buffer.length < i + length) return
      this.packets.push({ type: (this.buffer[0] as number) >> 4, body: this.buffer.subarray(i, i + length) })
      this.buffer = this.buffer.subarray(i + length)
    }
  }
}
