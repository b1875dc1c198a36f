/**
 * Every in-service firmware-sim scenario end to end (issue 11): the unit reports over MQTT
 * with its own credentials (or through its bridge) to a real gateway (real aedes over TCP,
 * real HTTP, real SQLite) whose manual clock follows the device time, so 8 days take
 * seconds; the unit's alerts must be the ones the scenario states (fault, severity, count,
 * final state, when raised), and nothing else. The storm must raise one alert per fault and
 * reach the team's webhook rate-limited, not thousands of times.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alertMismatches } from '../../firmware-sim/alert-expectation.js'
import { InServiceRun } from '../../firmware-sim/in-service-run.js'
import { IN_SERVICE_SCENARIOS, STORM_MESSAGES } from '../../firmware-sim/scenarios/in-service.js'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'
import { eventually, INSTALLER, startReceiver, writeTeamsFile, type AlertView, type Receiver } from './alerts-site.js'

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0)
const clock = new ManualClock(T0 - 2 * 3_600_000)
const dir = mkdtempSync(join(tmpdir(), 'gw-alerts-'))
let h: Harness
let receiver: Receiver
let start = T0

beforeAll(async () => {
  receiver = await startReceiver(0)
  h = await startHarness({ clock, env: { GW_ALERT_TEAMS_FILE: writeTeamsFile(dir, receiver.url) } })
})
afterAll(async () => {
  await h?.close()
  await receiver?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Each scenario starts a day after the previous one ended: the clock only moves forwards. */
async function play(name: string): Promise<{ run: InServiceRun; startTs: number }> {
  const s = IN_SERVICE_SCENARIOS.get(name)!
  const startTs = start
  start += s.durationMs + 86_400_000
  const run = await InServiceRun.prepare({
    mqttUrl: h.mqttUrl,
    httpUrl: h.httpUrl,
    adminToken: h.token,
    scenario: s,
    unitId: `e2e-${name}`,
    installerId: INSTALLER,
    startTs,
    beforeEvent: (ts) => clock.set(Math.max(clock.now(), ts)),
  })
  await run.play()
  await run.close()
  return { run, startTs }
}

describe('in-service scenarios through MQTT to their alerts', () => {
  it.each([...IN_SERVICE_SCENARIOS.keys()])('%s raises exactly the alerts it states', async (name) => {
    const s = IN_SERVICE_SCENARIOS.get(name)!
    const { run, startTs } = await play(name)
    // Every event that publishes was acknowledged (play awaits each PUBACK).
    const publishing = run.events.filter((e) => e.kind !== 'quiet' && e.kind !== 'drop' && e.kind !== 'reconnect').length
    expect(run.published).toBe(publishing + (s.entry === 'job-close' ? s.script({ startTs, rng: () => 0.5 }).commissioning.length : 0))
    // Ticks (silence, auto-clear) run on the gateway's own schedule: wait for the comparison to settle, clock held.
    // Starts as a mismatch, and a failing alert listing is one too: only a real comparison passes.
    let last: string[] = ['not compared yet']
    const compare = async () => {
      try {
        last = alertMismatches(s.expected, await run.alerts(), startTs)
      } catch (err) {
        last = [`could not list the alerts: ${String(err)}`]
      }
      return last.length === 0
    }
    await eventually(clock, compare, `${name}: ${last.join('; ')}`).catch(() => undefined)
    expect(last).toEqual([])
  })

  it('leakage-rising: one alert, re-triggered by every reading above the limit, not one per reading', async () => {
    const res = await h.api<{ alerts: AlertView[] }>('GET', `/api/v1/alerts?deviceId=e2e-leakage-rising&fault=leakage`)
    expect(res.status).toBe(200)
    expect(res.body.alerts).toHaveLength(1)
    // ~54 readings above 3.5 mA from minute 18.5 to 45, counted on the one alert.
    expect(res.body.alerts[0]!.faultCount).toBeGreaterThan(40)
  })

  it(`error-code-storm: ${STORM_MESSAGES} messages reach the team's webhook rate-limited and grouped, signed`, async () => {
    const mine = () => receiver.accepted.filter((d) => d.path === '/north' && d.raw.includes('e2e-error-code-storm'))
    // The raise goes alone or, in a busy window, inside the window's grouped delivery.
    await eventually(clock, () => mine().some((d) => d.body.type === 'alert.raised' || d.body.type === 'alerts.grouped'), 'the storm alerts at the webhook')
    // 45 device minutes = 45 windows of 60 s: at most 5 single deliveries and one grouped delivery each, not one per message.
    expect(mine().length).toBeLessThanOrEqual(45 * 6)
    expect(mine().every((d) => d.signatureOk)).toBe(true)
    // Retries keep their webhook-id: no message was delivered (accepted) twice.
    const ids = mine().map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
