/**
 * Request/response over the Node IPC channel between the bench orchestrator (run.ts) and its
 * child processes (server, load generator, subscriber). Each role runs in its own process so
 * that its CPU time, RSS and heap are its own, and so that the broker under test and the
 * load generator do not share one event loop.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** Commands a child understands: name → argument and result types. */
export type Api = Record<string, { arg: unknown; result: unknown }>

export type Handlers<A extends Api> = { [K in keyof A]: (arg: A[K]['arg']) => Promise<A[K]['result']> | A[K]['result'] }

interface Request {
  id: number
  cmd: string
  arg: unknown
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }

/** Child side: answers requests until the parent disconnects, then exits (which also writes a --cpu-prof profile). */
export function serve<A extends Api>(handlers: Handlers<A>): void {
  if (!process.send) throw new Error('bench child started without an IPC channel (run `npm run bench`)')
  const send = process.send.bind(process)
  process.on('message', (raw) => {
    const req = raw as Request
    const handler = (handlers as Record<string, (arg: unknown) => unknown>)[req.cmd]
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${req.cmd}`)
        return handler(req.arg)
      })
      .then(
        (result) => send({ id: req.id, ok: true, result } satisfies Reply),
        (err: unknown) => send({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply),
      )
  })
  process.on('disconnect', () => process.exit(0))
}

export interface ChildHandle<A extends Api> {
  readonly label: string
  readonly pid: number | undefined
  call<K extends keyof A & string>(cmd: K, arg: A[K]['arg'], timeoutMs?: number): Promise<A[K]['result']>
  /** Disconnects (the child exits by itself), then kills it if it has not gone within 5 s. */
  close(): Promise<void>
  kill(): void
}

/** Forks `module` (a .ts file next to this one) under tsx; `nodeArgs` e.g. --cpu-prof. */
export function spawnChild<A extends Api>(module: string, label: string, nodeArgs: string[] = []): ChildHandle<A> {
  const path = fileURLToPath(new URL(module, import.meta.url))
  const proc: ChildProcess = fork(path, [], {
    execArgv: ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_ROLE: label },
  })
  let nextId = 1
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  let exited = false
  const exitedP = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = true
      for (const p of pending.values()) {
        clearTimeout(p.timer)
        p.reject(new Error(`${label} exited (code ${code}, signal ${signal}) with a request pending`))
      }
      pending.clear()
      resolve()
    }),
  )
  proc.on('message', (raw) => {
    const reply = raw as Reply
    const p = pending.get(reply.id)
    if (!p) return
    pending.delete(reply.id)
    clearTimeout(p.timer)
    if (reply.ok) p.resolve(reply.result)
    else p.reject(new Error(`${label}: ${reply.error}`))
  })
  return {
    label,
    pid: proc.pid,
    call(cmd, arg, timeoutMs = 60_000) {
      if (exited) return Promise.reject(new Error(`${label} is not running`))
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`${label}: ${cmd} timed out after ${timeoutMs} ms`))
        }, timeoutMs)
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
        proc.send({ id, cmd, arg } satisfies Request)
      })
    },
    async close() {
      if (exited) return
      if (proc.connected) proc.disconnect()
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await exitedP
      clearTimeout(timer)
    },
    kill() {
      if (!exited) proc.kill('SIGKILL')
    },
  }
}

/** Wall-clock time in ms with sub-ms resolution, comparable across the bench's processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now()
}
