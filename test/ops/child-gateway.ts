/** A gateway as a real process (`gateway/server.ts`, as `npm start` runs it), for the operations tests. */
import { spawn, type ChildProcess } from 'node:child_process'

export interface ChildGateway {
  child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** Resolves with the ports once the gateway logged that it started; rejects if it exits first. */
  started: Promise<{ mqttPort: number; httpPort: number }>
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>
}

const children = new Set<ChildProcess>()

export function spawnGateway(env: Record<string, string>): ChildGateway {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/server.ts'], {
    env: { ...process.env, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_BIND: '127.0.0.1', GW_SYNC: 'normal', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let text = ''
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child)
      resolve(code ?? signal ?? 'unknown')
    })
  })
  const started = new Promise<{ mqttPort: number; httpPort: number }>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8')
      for (const line of text.split('\n')) {
        if (!line.includes('"gateway started"')) continue
        const entry = JSON.parse(line) as { mqttPort: number; httpPort: number }
        resolve({ mqttPort: entry.mqttPort, httpPort: entry.httpPort })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before it started:\n${text}`)))
  })
  started.catch(() => {}) // a test that expects the exit awaits `exited` instead
  return { child, output: () => text, started, exited }
}

/** Ends every child still running (afterAll). */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = []
  for (const child of children) {
    waits.push(new Promise((resolve) => child.once('exit', resolve)))
    child.kill('SIGKILL')
  }
  await Promise.all(waits)
}
