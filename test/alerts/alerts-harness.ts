/**
 * A real gateway for the alerts module's tests: SQLite in a temp dir, the HTTP API by
 * inject(), the ingest path fed directly (as the broker hands messages over), a ManualClock.
 * `stopAlertsGateways()` in afterEach stops what is still running and removes the temp dirs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { ManualClock } from '../../gateway/clock.js'
import { loadConfig } from '../../gateway/config.js'
import { Gateway } from '../../gateway/gateway.js'

export const UNIT = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

const dirs: string[] = []
const running = new Set<Gateway>()

/** Creates a temp dir that stopAlertsGateways() removes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

export async function stopAlertsGateways(): Promise<void> {
  for (const g of running) await g.stop()
  running.clear()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

/** `dataDir`: the data dir of an earlier start (a restart). */
export async function startAlertsGateway(clock: ManualClock, dataDir?: string) {
  const dir = dataDir ?? tempDir('gw-alerts-')
  const g = new Gateway(loadConfig({ GW_DATA_DIR: dir, GW_LOG_LEVEL: 'silent', GW_SYNC: 'normal' }), { sockets: false, clock })
  running.add(g)
  await g.start()
  const api = async <T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await g.http!.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${g.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    })
    return { status: res.statusCode, body: JSON.parse(res.body) as T }
  }
  const message = (deviceId: string, topic: string, body: unknown) =>
    g.ingest!.handle({ id: deviceId, kind: 'unit', bridgeFor: [] }, { topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, dup: false })
  return {
    g,
    dir,
    api,
    /** Telemetry of a unit through the real ingest path. */
    send: async (deviceId: string, samples: { ts: number; values: Record<string, number> }[]) => {
      await message(deviceId, 'v1/devices/me/telemetry', samples)
    },
    attrs: async (deviceId: string, a: Record<string, unknown>) => {
      await message(deviceId, 'v1/devices/me/attributes', a)
    },
    /** Stops this gateway (a restart follows on the same dir). */
    stop: async () => {
      running.delete(g)
      await g.stop()
    },
  }
}

export type AlertsGateway = Awaited<ReturnType<typeof startAlertsGateway>>
