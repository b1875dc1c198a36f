/**
 * Bench child: many idle device connections as raw sockets (a CONNECT written with
 * mqtt-packet, then nothing but the socket), from several loopback source addresses, opened
 * in waves that wait for every CONNACK, so that no per-address pending-connection cap is hit
 * and each device has exactly one connection. A raw socket costs this process little, so
 * 10,000 of them fit in one process.
 */
import { connect, type Socket } from 'node:net'
import mqttPacket from 'mqtt-packet'
import { serve } from './ipc.js'
import type { Credentials } from './server.js'

export interface ConnectManyResult {
  connected: number
  /** CONNACKs with a non-zero return code, sockets closed or errors before a CONNACK, by reason. */
  failed: Record<string, number>
  ms: number
}

export type ConnLoadApi = {
  /** Registers devices `${prefix}0` … over the gateway's HTTP API, `parallel` requests at a time. */
  register: { arg: { httpUrl: string; token: string; prefix: string; count: number; parallel: number }; result: Credentials[] }
  connectMany: { arg: { host: string; port: number; creds: Credentials[]; sources: string[]; wave: number; keepaliveS: number }; result: ConnectManyResult }
  /** Sockets still open (the gateway has closed none of them). */
  stillOpen: { arg: null; result: number }
  closeAll: { arg: null; result: null }
}

const sockets = new Set<Socket>()

function connectOne(host: string, port: number, localAddress: string, c: Credentials, keepaliveS: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress })
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    let done = false
    const finish = (failure: string | null): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (failure !== null) socket.destroy()
      else sockets.add(socket)
      resolve(failure)
    }
    const timer = setTimeout(() => finish('no CONNACK within 30 s'), 30_000)
    parser.on('packet', (p) => {
      if (p.cmd !== 'connack') return finish(`unexpected ${p.cmd}`)
      finish(p.returnCode === 0 ? null : `CONNACK ${p.returnCode}`)
    })
    socket.on('data', (buf) => parser.parse(buf))
    socket.on('error', (err) => finish(`socket error ${(err as NodeJS.ErrnoException).code ?? err.message}`))
    socket.on('close', () => {
      sockets.delete(socket)
      finish('closed before CONNACK')
    })
    socket.on('connect', () => {
      socket.setNoDelay(true)
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: c.clientId,
          keepalive: keepaliveS,
          ...(c.username !== undefined ? { username: c.username, password: Buffer.from(c.password ?? '') } : {}),
        }),
      )
    })
  })
}

async function register(httpUrl: string, token: string, id: string): Promise<Credentials> {
  const res = await fetch(`${httpUrl}/api/v1/devices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, kind: 'meter' }),
  })
  const body = (await res.json()) as { secret?: string }
  if (res.status !== 201 || body.secret === undefined) throw new Error(`register ${id}: ${res.status} ${JSON.stringify(body)}`)
  return { clientId: `${id}-c`, username: id, password: body.secret }
}

serve<ConnLoadApi>({
  async register({ httpUrl, token, prefix, count, parallel }) {
    const creds = new Array<Credentials>(count)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++
        creds[i] = await register(httpUrl, token, `${prefix}${i}`)
      }
    }
    const workers: Promise<void>[] = []
    for (let w = 0; w < parallel; w++) workers.push(worker())
    await Promise.all(workers)
    return creds
  },
  async connectMany({ host, port, creds, sources, wave, keepaliveS }) {
    const t0 = performance.now()
    const failed: Record<string, number> = {}
    let connected = 0
    for (let from = 0; from < creds.length; from += wave) {
      const batch: Promise<string | null>[] = []
      for (let i = from; i < Math.min(creds.length, from + wave); i++) batch.push(connectOne(host, port, sources[i % sources.length]!, creds[i]!, keepaliveS))
      for (const failure of await Promise.all(batch)) {
        if (failure === null) connected++
        else failed[failure] = (failed[failure] ?? 0) + 1
      }
    }
    return { connected, failed, ms: performance.now() - t0 }
  },
  stillOpen: () => sockets.size,
  closeAll: () => {
    for (const s of sockets) s.destroy()
    sockets.clear()
    return null
  },
})
