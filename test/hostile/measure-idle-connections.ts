/**
 * Measures the broker's memory per idle authenticated connection (a report, not a test):
 *   npx tsx test/hostile/measure-idle-connections.ts 2000 5000
 * Method: the broker runs alone in a child process (--expose-gc); this process opens N raw TCP
 * connections, each sending one CONNECT (keepalive 0, a distinct device), waits for every
 * CONNACK, then asks the child for RSS (once the pages the GC freed are back with the OS) and
 * heap after a full GC. Per connection = (value at N - value at 0) / N; the young generation
 * grows from 1 MB to about 32 MB in the first thousands of connections and stays (a fixed cost
 * of a process that has been busy, not a per-connection one), so RSS is also shown without it.
 */
import { fork } from 'node:child_process'
import { type Socket, connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { connectPacket } from '../broker/raw-mqtt.js'

interface Sample {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  /** V8 new_space committed bytes. */
  young: number
  connected: number
}

const counts = process.argv.slice(2).map(Number)
const child = fork(fileURLToPath(new URL('./idle-connections-child.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx', '--expose-gc'],
})
const next = <T>(): Promise<T> => new Promise((resolve) => child.once('message', (m) => resolve(m as T)))
const { port } = await next<{ port: number }>()
const sample = async (): Promise<Sample> => {
  const reply = next<Sample>()
  child.send('rss')
  return reply
}

function open(i: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: `127.0.0.${2 + (i % 8)}` })
    socket.once('error', reject)
    socket.once('connect', () => socket.write(connectPacket({ clientId: `c${i}`, username: `dev-${i}`, password: 'x' })))
    socket.once('data', () => resolve(socket)) // the CONNACK
  })
}

const sockets: Socket[] = []
const base = await sample()
console.log(`baseline: rss ${(base.rss / 1e6).toFixed(1)} MB, heap ${(base.heapUsed / 1e6).toFixed(1)} MB`)
for (const n of counts) {
  while (sockets.length < n) {
    const wave: Array<Promise<Socket>> = []
    for (let i = sockets.length; i < Math.min(n, sockets.length + 50); i++) wave.push(open(i))
    for (const s of await Promise.all(wave)) sockets.push(s)
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const s = await sample()
  const per = (v: number, b: number): string => `${((v - b) / n / 1024).toFixed(1)} KB`
  console.log(
    `${n} idle connections (connected ${s.connected}): rss ${(s.rss / 1e6).toFixed(1)} MB -> ${per(s.rss, base.rss)}/conn ` +
      `(${per(s.rss - s.young, base.rss - base.young)}/conn without the young generation, ${(base.young / 1e6).toFixed(1)} -> ${(s.young / 1e6).toFixed(1)} MB); ` +
      `heap ${per(s.heapUsed, base.heapUsed)}/conn used, ${per(s.heapTotal - s.young, base.heapTotal - base.young)}/conn committed outside the young generation; external ${per(s.external, base.external)}/conn`,
  )
}
for (const s of sockets) s.destroy()
child.send('stop')
