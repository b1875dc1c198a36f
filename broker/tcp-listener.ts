/**
 * The plain-TCP MQTT listener: admits a bounded number of not-yet-authenticated connections,
 * fairly across source addresses (pending-admission.ts), puts the packet guard in front of
 * aedes's parser, and owns every socket it accepted so that close() leaves nothing behind.
 *
 * Slow CONNECTs (slowloris, one byte at a time) need nothing here: aedes arms its
 * `connectTimeout` when the connection is handed over (lib/client.js constructor) and clears
 * it only when a complete CONNECT has been parsed (handlers/connect.js), so trickled bytes do
 * not extend it (test/hostile/connections-slowloris.test.ts).
 */
import { type Server, type Socket, createServer } from 'node:net'
import type { Readable } from 'node:stream'
import type { Aedes, Client } from 'aedes'
import { trimNewClient } from './aedes-client-trim.js'
import type { LogLimiter } from './log-limiter.js'
import { type GuardViolation, type PacketGuardOptions, guardReadable } from './packet-guard.js'
import { PendingAdmission } from './pending-admission.js'
import { sourceKey } from './source-address.js'

export interface TcpListenerOptions extends PacketGuardOptions {
  host: string
  /** 0 = ephemeral. */
  port: number
  /** Connections that have not completed CONNECT + authentication, across all clients. */
  maxPendingConnections: number
  /** Of those, from one source address (IPv6: one /64). */
  maxPendingPerAddress: number
}

export interface TcpListenerCounters {
  rejectedPackets: number
  /** Refused on accept: the source already had maxPendingPerAddress pending connections. */
  refusedConnections: number
  /** Pending connections closed to make room for a newcomer once maxPendingConnections was reached. */
  shedConnections: number
}

export interface TcpListener {
  port: number
  pendingConnections(): number
  close(): Promise<void>
}

export async function listenTcp(
  aedes: Aedes,
  opts: TcpListenerOptions,
  log: LogLimiter,
  counters: TcpListenerCounters,
  /** Told when an accepted socket has closed (once per socket), e.g. to release what its device held. */
  onClosed: (socket: Socket) => void = () => {},
): Promise<TcpListener> {
  const sockets = new Set<Socket>()
  const pending = new PendingAdmission<Socket>({ maxPending: opts.maxPendingConnections, maxPendingPerSource: opts.maxPendingPerAddress })

  const onClientReady = (client: Client): void => {
    pending.remove(client.conn as Socket)
  }
  aedes.on('clientReady', onClientReady)

  // Per socket only shared functions are registered (no closure, no once() wrapper): what an
  // idle connection costs is what the gateway can hold (issue 8: at most 10 KB each).
  function onSocketClose(this: Socket): void {
    sockets.delete(this)
    pending.remove(this)
    onClosed(this)
  }
  const onViolation = (violation: GuardViolation, stream: Readable): void => {
    const socket = stream as Socket
    counters.rejectedPackets++
    log.line(`guard|${sourceKey(socket.remoteAddress)}|${violation.reason}`, 'warn', 'connection dropped by packet guard', {
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      ...violation,
    })
  }

  const server: Server = createServer({ noDelay: true }, (socket) => {
    const admission = pending.admit(sourceKey(socket.remoteAddress), socket)
    if (!admission.admitted) {
      counters.refusedConnections++
      socket.destroy()
      return
    }
    if (admission.shed !== undefined) {
      counters.shedConnections++
      admission.shed.destroy()
    }
    sockets.add(socket)
    socket.on('close', onSocketClose)
    guardReadable(socket, opts, onViolation)
    trimNewClient(aedes.handle(socket), socket)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (error) => log.line('listener', 'error', 'MQTT listener error', { error: String(error) }))

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
