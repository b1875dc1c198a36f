/**
 * A real InfluxDB with the gateway's database layout (the same statements the deploy's
 * init script runs), filled with five commissioned jobs played by firmware-sim, two
 * months of their units in service, and their fault alerts (fill-alerts.ts).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../../dashboards/build.js'
import { DATABASE, schemaStatements } from '../../dashboards/influx-schema.js'
import { REPO } from '../../dashboards/provisioning-paths.js'
import { commissionJobs, type CommissionedJob, type JobPlan } from './fill-commissioning.js'
import { fillAlerts } from './fill-alerts.js'
import { fillInService } from './fill-in-service.js'
import { startInflux, type InfluxFixture } from './influx-fixture.js'
import { SchemaWriter } from './influx-writer.js'

export const IN_SERVICE_DAYS = 60
const DAY = 86_400_000
/** 08:00 UTC, 70 days ago: recent enough for every retention policy, old enough for months of service. */
export const FIRST_DAY = Math.floor(Date.now() / DAY) * DAY - 70 * DAY + 8 * 3_600_000

/**
 * A whole commissioning (every step and meter) whose tightness hold leaks (T4 counts leaks
 * per installer), and three test runs alone: a good one, one stopped early and uploaded
 * afterwards (back-filled evidence), one over-current. One whole commissioning only: the
 * gateway takes seconds to play one, and the tests keep within 30 s.
 */
export const PLANS: readonly JobPlan[] = [
  { scenario: 'tightness-leak', installerId: 'inst-b', late: false },
  { scenario: 'good', installerId: 'inst-a', late: false },
  { scenario: 'short-run', installerId: 'inst-a', late: true },
  { scenario: 'overcurrent', installerId: 'inst-b', late: false },
]

/** The job that went through every step: every commissioning panel has data for it. */
export const WHOLE_JOB = 'dash-tightness-leak'

/** Units kept under maintenance; the leaky job's unit slowly loses refrigerant. */
const IN_SERVICE = ['tightness-leak', 'good', 'overcurrent'] as const
const LOSING_CHARGE = 'dash-tightness-leak-unit'

export interface FilledInflux {
  influx: InfluxFixture
  jobs: CommissionedJob[]
  units: string[]
  /** Covers every point written. */
  range: { from: number; to: number }
}

export async function startFilledInflux(): Promise<FilledInflux> {
  const influx = await startInflux()
  try {
    // The deploy's init script, sent whole as the influxdb image's `influx -execute` does.
    const iql = readFileSync(join(REPO_ROOT, REPO.influxInit, '001-hvac-schema.iql'), 'utf8')
    const res = await influx.query(iql)
    const err = res.error ?? res.results.find((r) => r.error)?.error
    if (err || res.results.length !== schemaStatements().length) throw new Error(`init script: ${err ?? 'not every statement ran'}`)
    const jobs = await commissionJobs(PLANS, FIRST_DAY, influx.url)
    const writer = new SchemaWriter(influx.url)

    const inServiceFrom = FIRST_DAY + PLANS.length * DAY
    const units = IN_SERVICE.map((scenario) => `dash-${scenario}-unit`)
    await fillInService(
      influx,
      writer,
      units.map((deviceId) => ({ deviceId, fromTs: inServiceFrom, lossByEnd: deviceId === LOSING_CHARGE ? 0.15 : 0 })),
      IN_SERVICE_DAYS,
    )
    // The units' fault alerts, in their last in-service day.
    await fillAlerts(influx.url, inServiceFrom + (IN_SERVICE_DAYS - 1) * DAY)
    return { influx, jobs, units, range: { from: FIRST_DAY - 2 * DAY, to: inServiceFrom + (IN_SERVICE_DAYS + 1) * DAY } }
  } catch (err) {
    await influx.stop()
    throw err
  }
}

export { DATABASE }
