/**
 * A real gateway (harness) whose manual clock follows the device time firmware-sim plays, so
 * that hours of commissioning take seconds. Registers its own beforeAll/afterAll.
 */
import { afterAll, beforeAll, expect } from 'vitest'
import { runScenario } from '../../firmware-sim/run.js'
import { ManualClock } from '../../gateway/clock.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

export interface SimulatedSite {
  clock: ManualClock
  harness(): Harness
  /**
   * Plays a scenario from `start` as job `jobId` and returns the verdict after it ended.
   * Live: the clock moves with device time; late: the whole run is uploaded 3 h after it began.
   */
  play(scenario: string, jobId: string, live?: boolean): Promise<Verdict>
}

export function simulatedSite(start: number): SimulatedSite {
  const clock = new ManualClock(start)
  let h: Harness | undefined
  beforeAll(async () => {
    h = await startHarness({ clock })
  })
  afterAll(async () => {
    await h?.close()
  })
  const harness = (): Harness => {
    if (!h) throw new Error('the gateway is not started yet (use it inside a test)')
    return h
  }
  return {
    clock,
    harness,
    async play(scenario, jobId, live = true) {
      const gw = harness()
      clock.set(start)
      await runScenario({
        mqttUrl: gw.mqttUrl,
        httpUrl: gw.httpUrl,
        adminToken: gw.token,
        scenario,
        jobId,
        startTs: start,
        beforeEvent: live ? (ts) => clock.set(Math.max(clock.now(), ts)) : () => clock.set(start + 3 * 3_600_000),
      })
      clock.advance(1000)
      const res = await gw.api<Verdict>('GET', `/api/v1/jobs/${jobId}/verdict`)
      expect(res.status).toBe(200)
      return res.body
    },
  }
}
