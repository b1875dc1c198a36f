/**
 * A gateway restart in the middle of a duration condition (issue 11: "a restart in the
 * middle of a 10-minute condition neither forgets it nor fires twice"). over-current-sustained:
 * 9.5 A from minute 5, the pack's 10 minutes make minute 15. The gateway is stopped at
 * minute 10 and a new one started on the same data dir with the same clock; the unit goes on.
 * One over_current alert, raised at minute 15 (not 20: the condition was not forgotten), once.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { alertMismatches } from '../../firmware-sim/alert-expectation.js'
import { InServiceRun } from '../../firmware-sim/in-service-run.js'
import { MINUTE_MS } from '../../firmware-sim/in-service-scenario.js'
import { IN_SERVICE_SCENARIOS, OVER_CURRENT_FROM_MS, REPORT_MS } from '../../firmware-sim/scenarios/in-service.js'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'
import { eventually, INSTALLER, startReceiver, writeTeamsFile, type AlertView, type Receiver } from './alerts-site.js'

const T0 = Date.UTC(2026, 10, 4, 8, 0, 0)
const dataDir = mkdtempSync(join(tmpdir(), 'gw-alert-restart-'))
const open: Harness[] = []
let receiver: Receiver | undefined

afterAll(async () => {
  for (const h of open) await h.close()
  await receiver?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

it('over-current-sustained across a restart at minute 10: one alert, raised at minute 15', async () => {
  receiver = await startReceiver(0)
  const env = { GW_ALERT_TEAMS_FILE: writeTeamsFile(dataDir, receiver.url) }
  const clock = new ManualClock(T0 - 2 * 3_600_000)
  const first = await startHarness({ clock, dataDir, env })
  open.push(first)
  const scenario = IN_SERVICE_SCENARIOS.get('over-current-sustained')!
    const run = await InServiceRun.prepare({ mqttUrl: first.mqttUrl, httpUrl: first.httpUrl, adminToken: first.token, scenario, unitId: 'e2e-restart-unit', installerId: INSTALLER, startTs: T0, beforeEvent: (ts) => clock.set(Math.max(clock.now(), ts)) })
  await run.play(T0 + 10 * MINUTE_MS)
  // A clean DISCONNECT first: the unit did not go away, the gateway did.
  await run.disconnect()
  expect((await first.api<{ alerts: AlertView[] }>('GET', '/api/v1/alerts?deviceId=e2e-restart-unit')).body.alerts).toEqual([])
  open.splice(open.indexOf(first), 1)
  await first.close()

  clock.advance(5_000) // the restart takes 5 s
  const second = await startHarness({ clock, dataDir, env })
  open.push(second)
  // The same unit goes on against the new gateway (its ports are new).
  await run.moveTo({ mqttUrl: second.mqttUrl, httpUrl: second.httpUrl, adminToken: second.token })
  await run.play()
  await run.close()

  let alerts: AlertView[] = []
  let last: string[] = []
  await eventually(clock, async () => {
    alerts = (await second.api<{ alerts: AlertView[] }>('GET', '/api/v1/alerts?deviceId=e2e-restart-unit')).body.alerts
    return (last = alertMismatches(scenario.expected, alerts, T0)).length === 0
  }, 'the alerts').catch(() => undefined)
  expect(last).toEqual([])
  expect(alerts).toHaveLength(1)
  const raisedMin = (alerts[0]!.raisedAt - T0) / MINUTE_MS
  expect(raisedMin).toBeGreaterThanOrEqual((OVER_CURRENT_FROM_MS + 10 * MINUTE_MS) / MINUTE_MS)
  expect(raisedMin).toBeLessThanOrEqual((OVER_CURRENT_FROM_MS + 10 * MINUTE_MS + REPORT_MS) / MINUTE_MS)
  // Fired once: one raise in the audit trail.
  const detail = (await second.api<{ audit: { action: string }[] }>('GET', `/api/v1/alerts/${alerts[0]!.id}`)).body
  expect(detail.audit.filter((e) => e.action === 'raise')).toHaveLength(1)
})
