/**
 * A real gateway without sockets, for route tests that need no device: every module but the
 * MQTT broker (SQLite in a temp dir, the evaluation thread, the HTTP API), requests answered by
 * fastify's inject(). Tests that need a device or the wire use gateway-harness.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Clock } from '../../gateway/clock.js'
import { loadConfig } from '../../gateway/config.js'
import { Gateway } from '../../gateway/gateway.js'

export interface ApiHarness {
  gateway: Gateway
  dataDir: string
  /** Admin API call; returns status and parsed JSON body. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
  close(): Promise<void>
}

/** `dataDir`: reuse one (a restart); it is then left in place on close(). */
export async function startApiHarness(opts: { clock?: Clock; env?: Record<string, string>; dataDir?: string } = {}): Promise<ApiHarness> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gw-api-'))
  const config = loadConfig({ GW_DATA_DIR: dataDir, GW_LOG_LEVEL: 'silent', GW_SYNC: 'normal', ...opts.env })
  const gateway = new Gateway(config, { sockets: false, ...(opts.clock ? { clock: opts.clock } : {}) })
  await gateway.start()
  const http = gateway.http!
  return {
    gateway,
    dataDir,
    async api(method, path, body) {
      const res = await http.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${gateway.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      })
      return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : undefined) as never }
    },
    async close() {
      await gateway.stop()
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
