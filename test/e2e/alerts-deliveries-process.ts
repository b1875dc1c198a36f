/** Starts alerts-deliveries-child.ts (a gateway with a manual clock) and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'

export interface ChildGateway {
  child: ChildProcess
  mqttPort: number
  httpUrl: string
  token: string
  stderr(): string
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
  /** Sets the child's clock and runs its timers' work (alerts tick, deliveries tick). */
  setClock(now: number): Promise<void>
  tick(): Promise<void>
  /** Heap and RSS after a full GC in the child. */
  memory(): Promise<{ heapUsed: number; rss: number; external: number; arrayBuffers: number }>
  /** SIGKILL, or wait for a death the child did itself (CHILD_KILL_AT_CHANGE). */
  kill(): Promise<void>
  exited: Promise<string>
}

export async function startChild(env: Record<string, string>, clockMs: number): Promise<ChildGateway> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/e2e/alerts-deliveries-child.ts'], {
    env: { ...process.env, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_BIND: '127.0.0.1', GW_LOG_LEVEL: 'warn', GW_SYNC: 'normal', GW_ALERT_DELIVERY_POLL_MS: '20', CHILD_CLOCK_MS: String(clockMs), ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 20_000) err += d.toString()
  })
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(signal ?? code))))
  const waiting = new Map<number, (m: Record<string, number>) => void>()
  let nextId = 1
  const ready = new Promise<{ mqttPort: number; httpPort: number; token: string }>((resolve, reject) => {
    child.on('message', (m: { op?: string; id?: number; mqttPort: number; httpPort: number; token: string }) => {
      if (m.op === 'ready') resolve(m)
      else if (m.id !== undefined) waiting.get(m.id)?.(m as unknown as Record<string, number>)
    })
    void exited.then((how) => reject(new Error(`child gateway exited (${how}) before it started: ${err}`)))
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const r = await ready.finally(() => clearTimeout(timer))
  const request = (m: Record<string, unknown>) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const id = nextId++
      waiting.set(id, (v) => (waiting.delete(id), resolve(v)))
      child.send({ id, ...m }, (e) => e && reject(e))
    })
  const httpUrl = `http://127.0.0.1:${r.httpPort}`
  return {
    child,
    mqttPort: r.mqttPort,
    httpUrl,
    token: r.token,
    stderr: () => err,
    // node:http, a connection per call: fetch's pool reuses idle connections the server may be closing (keep-alive timeout).
    api: (method, path, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body)
        const req = httpRequest(httpUrl + path, { method, agent: false, headers: { authorization: `Bearer ${r.token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as never })
          })
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(payload)
      }),
    async setClock(now) {
      await request({ op: 'set', now })
    },
    async tick() {
      await request({ op: 'tick' })
    },
    async memory() {
      return (await request({ op: 'memory' })) as never
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
    exited,
  }
}
