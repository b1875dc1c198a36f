/**
 * The plain-TCP MQTT listener: admits a bounded number of not-yet-authenticated connections,
 * puts the packet guard in front of aedes's parser, and owns every socket it accepted so that
 * close() leaves nothing behind. (aedes's `connectTimeout` drops sockets that never send CONNECT.)
 */
import { type Server, type Socket, createServer } from 'node:net'
import type { Aedes, Client } from 'aedes'
import type { Log } from './hooks.js'
import { type PacketGuardOptions, guardReadable } from './packet-guard.js'

export interface TcpListenerOptions extends PacketGuardOptions {
  host: string
  /** 0 = ephemeral. */
  port: number
  /** Connections that have not completed CONNECT + authentication, across all clients. */
  maxPendingConnections: number
}

export interface TcpListenerCounters {
  rejectedPackets: number
  refusedConnections: number
}

export interface TcpListener {
  port: number
  pendingConnections(): number
  close(): Promise<void>
}

export async function listenTcp(
  aedes: Aedes,
  opts: TcpListenerOptions,
  log: Log,
  counters: TcpListenerCounters,
): Promise<TcpListener> {
  const sockets = new Set<Socket>()
  const pending = new Set<Socket>()

  const onClientReady = (client: Client): void => {
    pending.delete(client.conn as Socket)
  }
  aedes.on('clientReady', onClientReady)

  const server: Server = createServer({ noDelay: true }, (socket) => {
    if (pending.size >= opts.maxPendingConnections) {
      counters.refusedConnections++
      socket.destroy()
      return
    }
    sockets.add(socket)
    pending.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      pending.delete(socket)
    })
    guardReadable(socket, opts, (violation) => {
      counters.rejectedPackets++
      log('warn', 'connection dropped by packet guard', {
        remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        ...violation,
      })
    })
    aedes.handle(socket)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (error) => log('error', 'MQTT listener error', { error: String(error) }))

  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : opts.port

  let closing: Promise<void> | undefined
  return {
    port,
    pendingConnections: () => pending.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        aedes.off('clientReady', onClientReady)
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}
