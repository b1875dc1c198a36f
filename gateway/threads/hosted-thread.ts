/**
 * The thread side of worker-host.ts, run inside the worker: its port to the host, the data the
 * host gave it, and a typed send. Throws when imported outside a hosted worker thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import type { HostedThreadData, ThreadReport } from './thread-messages.js'

export interface HostedThread<D, Out> {
  port: MessagePort
  data: D
  send(m: Out | ThreadReport): void
}

/** `what` names the thread's module and its host for the error, e.g. "forwarder-thread.ts (started by forwarder-host.ts)". */
export function hostedThread<D, Out>(what: string): HostedThread<D, Out> {
  const port = parentPort
  if (!port) throw new Error(`${what} runs as a worker thread`)
  const envelope = workerData as HostedThreadData<D>
  return { port, data: envelope.data, send: (m) => port.postMessage(m) }
}
