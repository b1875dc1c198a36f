/**
 * Starting the gateway as an operator does (`gateway/server.ts` as a real process): a
 * configuration it cannot run with ends in one clear line and exit code 1 before any admin
 * token exists; one data directory serves one gateway; the admin token never reaches the log.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killAll, spawnGateway, type ChildGateway } from './child-gateway.js'

const dirs: string[] = []
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-ops-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  await killAll()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The lines that are not the JSON log: what an operator reads. */
const plainLines = (g: ChildGateway): string[] =>
  g
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('{'))

async function expectRefusal(g: ChildGateway, message: RegExp): Promise<void> {
  expect(await g.exited).toBe(1)
  const lines = plainLines(g)
  expect(lines, g.output()).toHaveLength(1)
  expect(lines[0]).toMatch(message)
  expect(g.output()).not.toMatch(/^\s+at /m) // no stack trace
}

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as { port: number }).port, server }
}

describe('configuration errors found at start', () => {
  it('GW_RULES_DIR that does not exist: one line, exit 1, no admin token', async () => {
    const dataDir = tempDir()
    const g = spawnGateway({ GW_DATA_DIR: dataDir, GW_RULES_DIR: join(dataDir, 'no-such-rules') })
    await expectRefusal(g, /^GW_RULES_DIR=".*no-such-rules": rule packs directory .*no-such-rules: .*ENOENT/)
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(false)
  })

  it('GW_BIND that does not resolve: one line, exit 1, no admin token', async () => {
    const dataDir = tempDir()
    const g = spawnGateway({ GW_DATA_DIR: dataDir, GW_BIND: 'no-such-host.invalid' })
    await expectRefusal(g, /^GW_BIND="no-such-host\.invalid": cannot resolve this address \((ENOTFOUND|EAI_AGAIN)\)/)
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(false)
  })

  it('GW_DATA_DIR that cannot be a directory: one line, exit 1', async () => {
    const parent = tempDir()
    writeFileSync(join(parent, 'a-file'), 'not a directory')
    const g = spawnGateway({ GW_DATA_DIR: join(parent, 'a-file', 'data') })
    await expectRefusal(g, /^GW_DATA_DIR=".*a-file\/data": cannot use it as the data dir: .*ENOTDIR/)
  })

  it.each(['GW_HTTP_PORT', 'GW_MQTT_PORT'])('%s already in use: one line, exit 1, no admin token', async (variable) => {
    const dataDir = tempDir()
    const { port, server } = await occupiedPort()
    try {
      const g = spawnGateway({ GW_DATA_DIR: dataDir, [variable]: String(port) })
      await expectRefusal(g, new RegExp(`^${variable}=${port}: 127\\.0\\.0\\.1:${port} is already in use .*\\(EADDRINUSE\\)$`))
      expect(existsSync(join(dataDir, 'admin-token'))).toBe(false)
    } finally {
      server.close()
    }
  })
})

describe('one gateway per data directory', () => {
  it('a second gateway on the same data dir refuses to start, naming the first; a SIGKILLed one does not block a restart', async () => {
    const dataDir = tempDir()
    const first = spawnGateway({ GW_DATA_DIR: dataDir })
    await first.started

    const second = spawnGateway({ GW_DATA_DIR: dataDir })
    await expectRefusal(second, new RegExp(`^data dir ${dataDir} is in use by pid ${first.child.pid} \\(started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); stop it or set GW_DATA_DIR$`))
    // The first is untouched and still serving.
    expect((await fetch(`http://127.0.0.1:${(await first.started).httpPort}/healthz`)).status).toBe(200)

    first.child.kill('SIGKILL')
    expect(await first.exited).toBe('SIGKILL')
    const third = spawnGateway({ GW_DATA_DIR: dataDir })
    const { httpPort } = await third.started
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200)
    third.child.kill('SIGTERM')
    expect(await third.exited).toBe(0)

    // Stopped cleanly: the next start takes the lock again.
    const fourth = spawnGateway({ GW_DATA_DIR: dataDir })
    await fourth.started
    fourth.child.kill('SIGTERM')
    expect(await fourth.exited).toBe(0)
  })
})

describe('the admin token', () => {
  it('a generated token is not in the output when stderr is not a terminal; where it is kept is', async () => {
    const dataDir = tempDir()
    const g = spawnGateway({ GW_DATA_DIR: dataDir, GW_LOG_LEVEL: 'debug' })
    const { httpPort } = await g.started
    const file = join(dataDir, 'admin-token')
    const token = readFileSync(file, 'utf8').trim()
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    // It is the token that works.
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/quarantine`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(g.output()).not.toContain(token)
    const line = g.output().split('\n').find((l) => l.includes('admin token'))
    expect(JSON.parse(line!)).toMatchObject({ level: 'info', file })
    g.child.kill('SIGTERM')
    expect(await g.exited).toBe(0)
  })

  it('on a terminal, the generated token is shown once on stderr (script(1) gives the gateway a pseudo-terminal)', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, 'admin-token')
    const cmd = `${process.execPath} --import tsx gateway/server.ts`
    const env = { ...process.env, GW_DATA_DIR: dataDir, GW_MQTT_PORT: '0', GW_HTTP_PORT: '0', GW_BIND: '127.0.0.1', GW_LOG_LEVEL: 'warn' }
    const script = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    script.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
    const exited = new Promise((resolve) => script.once('exit', resolve))
    const deadline = Date.now() + 30_000
    while (!/admin token \(shown once; kept in .*\):\s+\S+/.test(out)) {
      if (Date.now() > deadline) throw new Error(`no token shown on the terminal:\n${out}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const token = readFileSync(file, 'utf8').trim()
    expect(out).toContain(`kept in ${file}`)
    expect(out).toContain(token)
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'gateway.pid'), 'utf8')) as { pid: number }
    process.kill(pid, 'SIGTERM')
    await exited

    // Not again on the next start: the token is kept, not generated.
    const again = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...env, GW_LOG_LEVEL: 'info' }, stdio: ['pipe', 'pipe', 'pipe'] })
    let out2 = ''
    again.stdout.on('data', (c: Buffer) => (out2 += c.toString('utf8')))
    const exited2 = new Promise((resolve) => again.once('exit', resolve))
    while (!out2.includes('"gateway started"')) {
      if (Date.now() > deadline + 30_000) throw new Error(`second start did not start:\n${out2}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(out2).not.toContain(token)
    const second = JSON.parse(readFileSync(join(dataDir, 'gateway.pid'), 'utf8')) as { pid: number }
    process.kill(second.pid, 'SIGTERM')
    await exited2
  })
})
