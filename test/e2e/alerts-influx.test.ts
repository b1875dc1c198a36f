/**
 * Alerts into InfluxDB end to end (issue 11: "Alerts are also written to InfluxDB (when
 * configured)"): a real gateway (aedes over TCP, HTTP, SQLite) with GW_INFLUX_URL at a real
 * influxd that is DOWN at first. A unit in service (firmware-sim's leakage-rising, over MQTT
 * with its own credentials) raises a leakage alert; a technician acknowledges and clears it
 * over HTTP. Then the gateway is stopped as if it had crashed right after committing the
 * acknowledgement and the clear, before relaying them (the relay's cursor behind, their rows
 * never queued). InfluxDB comes up, a new gateway starts on the same data dir: every change of
 * the alert must arrive as exactly one `alert` point, with its tags and fields.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { InServiceRun } from '../../firmware-sim/in-service-run.js'
import { IN_SERVICE_SCENARIOS } from '../../firmware-sim/scenarios/in-service.js'
import { ALERT_POINTS_CONSUMER } from '../../gateway/alerts/alert-points-relay.js'
import { ManualClock } from '../../gateway/clock.js'
import type { ForwarderStats } from '../../gateway/sinks/influx/forwarder.js'
import { INFLUX_ALERT_SINK } from '../../gateway/sinks/influx/influx-outbox.js'
import { openDatabase } from '../../gateway/store/database.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'
import { influxRows, startInfluxServer, type InfluxServer } from '../helpers/influx-server.js'
import type { AlertView } from './alerts-site.js'

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0)
const UNIT = 'e2e-influx-leak'
const dataDir = mkdtempSync(join(tmpdir(), 'gw-alerts-influx-'))
const clock = new ManualClock(T0 - 2 * 3_600_000)
const open: Harness[] = []
let server: InfluxServer

beforeAll(async () => {
  server = await startInfluxServer()
  await server.stop() // down at first: the gateway's URL points at nothing
}, 30_000)
afterAll(async () => {
  for (const h of open) await h.close()
  await server?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const env = () => ({ GW_INFLUX_URL: server.url, GW_INFLUX_DB: 'hvac' })
const forwarder = async (h: Harness) => (await h.api<{ forwarder: ForwarderStats }>('GET', '/healthz')).body.forwarder
type Audit = { seq: number; at: number; action: string; to: string }

it('raised over MQTT, acknowledged and cleared over HTTP, relayed across a crash and an outage: one point per change', async () => {
  const first = await startHarness({ clock, dataDir, env: env() })
  open.push(first)
  const run = await InServiceRun.prepare({
    mqttUrl: first.mqttUrl, httpUrl: first.httpUrl, adminToken: first.token, scenario: IN_SERVICE_SCENARIOS.get('leakage-rising')!,
    unitId: UNIT, startTs: T0, beforeEvent: (ts) => clock.set(Math.max(clock.now(), ts)),
  })
  await run.play()
  await run.close()

  let alerts: AlertView[] = []
  await waitFor(async () => (alerts = (await first.api<{ alerts: AlertView[] }>('GET', `/api/v1/alerts?deviceId=${UNIT}`)).body.alerts).length === 1, 'the leakage alert')
  const id = alerts[0]!.id
  expect(alerts[0]).toMatchObject({ fault: 'leakage', severity: 'critical', state: 'active' })
  clock.advance(60_000)
  expect((await first.api('POST', `/api/v1/alerts/${id}/acknowledge`, { by: 'tech-ana', note: 'on my way' })).status).toBe(200)
  clock.advance(30 * 60_000)
  expect((await first.api('POST', `/api/v1/alerts/${id}/clear`, { by: 'tech-ana', reason: 'dried the terminal box, leakage 0.4 mA' })).status).toBe(200)

  // InfluxDB is down: the changes wait in the outbox, the forwarder retries.
  const detail = (await first.api<{ triggers: number; faultCount: number; value: number; raisedAt: number; audit: Audit[] }>('GET', `/api/v1/alerts/${id}`)).body
  const audit = detail.audit
  // Re-triggered by every reading above the limit (and escalated once its acknowledge deadline passed).
  expect(audit[0]!.action).toBe('raise')
  expect(audit.slice(1, -2).every((e) => e.action === 'retrigger' || e.action === 'escalate')).toBe(true)
  expect(audit.slice(-2).map((e) => e.action)).toEqual(['acknowledge', 'clear'])
  expect(audit.length).toBeGreaterThan(10)
  await waitFor(async () => (await forwarder(first)).alerts === audit.length, 'every change queued for InfluxDB')
  await waitFor(async () => (await forwarder(first)).failures >= 1, 'a failed forwarding attempt', 10_000)
  expect(await forwarder(first)).toMatchObject({ state: 'retrying', lastError: expect.stringMatching(/ECONNREFUSED|connect|socket/i) })
  const metrics = await (await fetch(`${first.httpUrl}/metrics`, { headers: { authorization: `Bearer ${first.token}` } })).text()
  expect(metrics).toMatch(new RegExp(`^gw_forwarder_alerts_pending ${audit.length}$`, 'm'))
  open.splice(open.indexOf(first), 1)
  await first.close()

  // The crash: acknowledgement and clear committed, the relay never ran for them.
  const ackSeq = audit[audit.length - 2]!.seq
  const db = openDatabase(dataDir, 'normal')
  const dropped = db.prepare("DELETE FROM outbox WHERE sink = ? AND json_extract(payload, '$.seq') >= ?").run(INFLUX_ALERT_SINK, ackSeq).changes
  db.prepare('UPDATE audit_cursors SET seq = ? WHERE consumer = ?').run(ackSeq - 1, ALERT_POINTS_CONSUMER)
  db.close()
  expect(dropped).toBe(2)

  await server.start()
  clock.advance(5_000)
  const second = await startHarness({ clock, dataDir, env: env() })
  open.push(second)
  await waitFor(async () => {
    const f = await forwarder(second)
    return f.alerts === 0 && f.state === 'idle'
  }, 'the alert backlog to drain', 20_000)

  const points = await influxRows(server.url, `SELECT * FROM "in_service"."alert" WHERE "device_id" = '${UNIT}' ORDER BY time`, 'hvac')
  // One point per change, at the change's time, in the trail's order.
  expect(points.map((p) => [p.time, p.state])).toEqual(audit.map((e) => [e.at, e.to]))
  const tagsAndId = { device_id: UNIT, fault: 'leakage', severity: 'critical', team: 'unassigned', alert_id: id, raised_at: detail.raisedAt }
  for (const p of points) expect(p).toMatchObject(tagsAndId)
  expect(points.slice(0, -1).every((p) => p.active === 1)).toBe(true)
  const last = points[points.length - 1]!
  // The clear was relayed after the restart: the alert's record as it is now.
  expect(last).toMatchObject({ state: 'cleared', active: 0, count: detail.triggers, fault_count: detail.faultCount, value: detail.value })
  expect(points[points.length - 2]).toMatchObject({ state: 'acknowledged', active: 1 })
  expect(typeof points[0]!.value).toBe('number')
  expect(points[0]!.value as number).toBeGreaterThan(3.5)
  // Nothing left in the outbox, nothing parked.
  const check = openDatabase(dataDir, 'normal')
  try {
    expect(check.prepare('SELECT count(*) AS n FROM outbox WHERE sink = ?').get(INFLUX_ALERT_SINK)).toEqual({ n: 0 })
  } finally {
    check.close()
  }
}, 60_000)
