/**
 * The one worker-thread host (gateway/threads/worker-host.ts) that the forwarder and the
 * evaluator share, with a real worker thread: a thread that dies is replaced after the back-off
 * (by itself, or on the next request), one its owner ends says why, and stop() is idempotent,
 * cancels a pending restart and terminates a thread that does not stop.
 */
import type { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import type { LogLevel } from '../../gateway/log.js'
import { WorkerHost, type WorkerExit } from '../../gateway/threads/worker-host.js'
import { waitFor } from '../helpers/gateway-harness.js'
import type { FromEcho, ToEcho } from './echo-thread.js'

interface Harness {
  host: WorkerHost<{ label: string; ignoreStop: boolean }, ToEcho, FromEcho>
  starts: Worker[]
  exits: WorkerExit[]
  echoes: string[]
  logs: { level: LogLevel; msg: string }[]
}

const hosts: Harness['host'][] = []
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop()
})

function harness(restartWhen: 'timer' | 'demand', opts: { ignoreStop?: boolean; stopTimeoutMs?: number; baseMs?: number } = {}): Harness {
  const h: Omit<Harness, 'host'> = { starts: [], exits: [], echoes: [], logs: [] }
  const host = new WorkerHost<{ label: string; ignoreStop: boolean }, ToEcho, FromEcho>({
    name: 'echo thread',
    entry: new URL('./echo-thread.ts', import.meta.url),
    data: { label: 'L1', ignoreStop: opts.ignoreStop ?? false },
    log: (level, msg) => h.logs.push({ level, msg }),
    restart: { baseMs: opts.baseMs ?? 20, capMs: Math.max(40, opts.baseMs ?? 0) },
    restartWhen,
    stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
    onStart: (w) => h.starts.push(w),
    onMessage: (m) => h.echoes.push(`${m.label}:${m.text}`),
    onExit: (e) => h.exits.push(e),
  })
  hosts.push(host)
  return { ...h, host }
}

async function echo(h: Harness, text: string): Promise<void> {
  h.host.post({ type: 'echo', text })
  await waitFor(() => h.echoes.includes(`L1:${text}`), `echo ${text}`, 20_000)
}

describe('WorkerHost', () => {
  it('runs the thread on the data given, and a thread that dies is replaced by itself after the back-off (restartWhen timer)', async () => {
    const h = harness('timer')
    const first = h.host.start()
    expect(h.host.start()).toBe(first) // one thread at a time
    await echo(h, 'a')
    h.host.post({ type: 'crash', code: 3 })
    await waitFor(() => h.starts.length === 2, 'a new thread', 20_000)
    expect(h.exits).toEqual([{ code: 3, reason: undefined, stopped: false, delayMs: expect.any(Number) }])
    expect(h.exits[0]!.delayMs).toBeGreaterThanOrEqual(10) // equal jitter: at least half of baseMs
    expect(h.host.crashes).toBe(1)
    await echo(h, 'b')
    expect(h.host.worker).toBe(h.starts[1])
  })

  it('with restartWhen demand, no thread starts until ready() is called; ready() waits out the back-off', async () => {
    const h = harness('demand', { baseMs: 200 })
    await h.host.ready()
    h.host.post({ type: 'crash', code: 4 })
    await waitFor(() => h.exits.length === 1, 'the crash', 20_000)
    await new Promise((r) => setTimeout(r, 400))
    expect(h.starts).toHaveLength(1)
    expect(h.host.worker).toBeUndefined()
    const worker = await h.host.ready()
    expect(h.starts).toEqual([expect.anything(), worker])
    await echo(h, 'c')
  })

  it('a thread its owner ends (hung) exits with the owner’s reason, and counts as a crash', async () => {
    const h = harness('demand')
    const worker = await h.host.ready()
    h.host.end(worker, 'did not answer within 1 ms')
    await waitFor(() => h.exits.length === 1, 'the exit', 20_000)
    expect(h.exits[0]).toMatchObject({ reason: 'did not answer within 1 ms', stopped: false })
    expect(h.host.crashes).toBe(1)
    // Ending a thread that is no longer the current one does nothing.
    h.host.end(worker, 'again')
    expect(h.exits).toHaveLength(1)
  })

  it('stop() is idempotent: one stop message, one exit, every call waits for it; nothing starts after', async () => {
    const h = harness('timer')
    h.host.start()
    await echo(h, 'd')
    const a = h.host.stop()
    const b = h.host.stop()
    expect(b).toBe(a)
    await a
    await h.host.stop()
    expect(h.exits).toEqual([{ code: expect.any(Number), reason: undefined, stopped: true, delayMs: undefined }])
    expect(h.logs.filter((l) => l.msg === 'echo thread stopping')).toHaveLength(1)
    expect(h.host.start()).toBeUndefined()
    await expect(h.host.ready()).rejects.toThrow(/stopping/)
    expect(h.starts).toHaveLength(1)
    expect(h.host.crashes).toBe(0)
  })

  it('stop() during the back-off cancels the restart', async () => {
    const h = harness('timer', { baseMs: 300 })
    h.host.start()
    await echo(h, 'e')
    h.host.post({ type: 'crash', code: 5 })
    await waitFor(() => h.exits.length === 1, 'the crash', 20_000)
    await h.host.stop()
    await new Promise((r) => setTimeout(r, 500))
    expect(h.starts).toHaveLength(1)
    expect(h.host.worker).toBeUndefined()
  })

  it('a thread that does not stop is terminated after stopTimeoutMs', async () => {
    const h = harness('timer', { ignoreStop: true, stopTimeoutMs: 200 })
    h.host.start()
    await echo(h, 'f')
    await h.host.stop()
    expect(h.exits).toEqual([{ code: 1, reason: undefined, stopped: true, delayMs: undefined }])
  })
})
