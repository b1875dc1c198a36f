/**
 * The real gateway as a child process (`npm start`'s entry point through tsx), for tests
 * that must kill it. Ports are chosen here and readiness is seen on HTTP (the HTTP API
 * listens after the broker), so the helper does not depend on the log's format.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

export interface GatewayProcess {
  child: ChildProcess
  mqttPort: number
  httpPort: number
  /** What the child wrote on stderr (shown when it fails to start). */
  stderr(): string
  /** Admin API call with the fixed token; JSON body. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
  /** SIGKILL: no shutdown hook, no flush. Resolves once the process is gone. */
  kill(): Promise<void>
  /** SIGTERM and wait for the clean exit. */
  stop(): Promise<void>
}

export const ADMIN_TOKEN = 'durability-test-admin-token-0123456789'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))

export async function startGatewayProcess(dataDir: string, env: Record<string, string> = {}, startTimeoutMs = 20_000): Promise<GatewayProcess> {
  const [mqttPort, httpPort] = [await freePort(), await freePort()]
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/server.ts'], {
    env: {
      ...process.env,
      GW_DATA_DIR: dataDir,
      GW_MQTT_PORT: String(mqttPort),
      GW_HTTP_PORT: String(httpPort),
      GW_BIND: '127.0.0.1',
      GW_ADMIN_TOKEN: ADMIN_TOKEN,
      GW_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 20_000) err += d.toString()
  })
  const api: GatewayProcess['api'] = async (method, path, body) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never }
  }
  const deadline = Date.now() + startTimeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode} before it started: ${err}`)
    try {
      await fetch(`http://127.0.0.1:${httpPort}/healthz`)
      break // any answer: HTTP listens, so the broker does too
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`gateway did not start within ${startTimeoutMs} ms: ${err}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    child,
    mqttPort,
    httpPort,
    stderr: () => err,
    api,
    async kill() {
      child.kill('SIGKILL')
      await exited(child)
    },
    async stop() {
      child.kill('SIGTERM')
      await exited(child)
    },
  }
}
