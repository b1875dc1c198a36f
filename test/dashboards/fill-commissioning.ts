/**
 * Commissioning evidence for the dashboard tests, through the real path: firmware-sim plays
 * each scenario (whole commissionings: power test to test run, every meter) over MQTT to a
 * real gateway whose forwarder writes to the InfluxDB under test (GW_INFLUX_URL), verdicts
 * included: the gateway queues each job's verdict whenever it changes.
 */
import { runScenario } from '../../firmware-sim/run.js'
import { scenarioDurationMs } from '../../firmware-sim/scenario.js'
import { getScenario } from '../../firmware-sim/scenarios/index.js'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor } from '../helpers/gateway-harness.js'

export interface JobPlan {
  scenario: string
  installerId: string
  /** The whole run is uploaded 3 h after it ended (back-filled evidence). */
  late: boolean
}

export interface CommissionedJob extends JobPlan {
  jobId: string
  deviceIds: string[]
  /** Device time the scenario starts. */
  startTs: number
  endTs: number
}

const DAY = 86_400_000

export async function commissionJobs(plans: readonly JobPlan[], firstDay: number, influxUrl: string): Promise<CommissionedJob[]> {
  const clock = new ManualClock(firstDay)
  const h = await startHarness({ clock, env: { GW_INFLUX_URL: influxUrl } })
  const jobs: CommissionedJob[] = []
  try {
    const forwarder = h.gateway.influx
    if (!forwarder) throw new Error('the gateway did not start its InfluxDB forwarder')
    for (const [i, plan] of plans.entries()) {
      const jobId = `dash-${plan.scenario}`
      const startTs = firstDay + i * DAY
      const endTs = startTs + scenarioDurationMs(getScenario(plan.scenario))
      const run = await runScenario({
        mqttUrl: h.mqttUrl,
        httpUrl: h.httpUrl,
        adminToken: h.token,
        scenario: plan.scenario,
        jobId,
        installerId: plan.installerId,
        startTs,
        seed: i + 1,
        // Live readings arrive 0.7 s after they were taken; a late upload 3 h after the run.
        beforeEvent: plan.late ? () => clock.set(endTs + 3 * 3_600_000) : (ts) => clock.set(Math.max(clock.now(), ts + 700)),
      })
      clock.set(Math.max(clock.now(), endTs) + 1000)
      jobs.push({ ...plan, jobId, deviceIds: run.deviceIds, startTs, endTs })
    }
    const drained = () => {
      const s = forwarder.stats()
      return s.backlog === 0 && s.verdicts === 0 && s.reroutes === 0
    }
    await waitFor(drained, 'the forwarder to write everything to InfluxDB', 20_000).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}: ${JSON.stringify(forwarder.stats())}`)
    })
  } finally {
    await h.close()
  }
  return jobs
}
