/**
 * The e2e scenarios' verdicts from the evaluation thread's incremental cache equal a fresh
 * evaluation of the same stored readings (issue 8, "evaluation is incremental"): the
 * firmware-sim plays each scenario over MQTT with the clock following device time, and the
 * job is judged every 20 events on the way (besides the monitor's own evaluations), so the
 * thread's cache was extended many times; then a new cache on a second SQLite connection
 * judges the job at the same instant, and the two verdicts must be the same bytes (the
 * monitor's verdict, not the API's: the HTTP schema orders the keys).
 */
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../firmware-sim/run.js'
import { ManualClock } from '../../gateway/clock.js'
import { DeviceRegistry } from '../../gateway/devices/device-registry.js'
import { InlineEvaluator } from '../../gateway/jobs/job-evaluator.js'
import { loadJobContext } from '../../gateway/jobs/job-context.js'
import { JobRepository } from '../../gateway/jobs/job-repository.js'
import { StepEventRepository } from '../../gateway/jobs/step-event-repository.js'
import { openDatabase } from '../../gateway/store/database.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'
import { meterAccuracyFromAttributes } from '../../rules/meter-accuracy.js'
import { startHarness } from '../helpers/gateway-harness.js'

const START = Date.UTC(2026, 10, 27, 8, 0, 0)
const SCENARIOS = ['good', 'gap', 'garbage', 'commissioning', 'tightness-leak', 'leak-hidden-by-warming', 'evacuation-leak', 'uncalibrated-meter', 'retest-keeps-failure', 'two-current-devices']

describe('incremental verdicts of the e2e scenarios equal fresh ones', () => {
  it.each(SCENARIOS)('%s', async (scenario) => {
    const clock = new ManualClock(START)
    const h = await startHarness({ clock, env: { GW_EVAL_MIN_INTERVAL_MS: '0' } })
    try {
      const jobId = `inc-${scenario}`
      const monitor = h.gateway.monitor!
      let events = 0
      const beforeEvent = async (ts: number) => {
        clock.set(Math.max(clock.now(), ts))
        if (++events % 20 === 0) await monitor.current(jobId)
      }
      await runScenario({ mqttUrl: h.mqttUrl, httpUrl: h.httpUrl, adminToken: h.token, scenario, jobId, startTs: START, beforeEvent })
      clock.advance(1000)
      await monitor.settled()
      const live = await monitor.current(jobId)
      expect(live?.jobId).toBe(jobId)
      expect(monitor.stats().evaluations).toBeGreaterThanOrEqual(5) // judged many times on the way
      expect(monitor.stats().failures).toBe(0)
      // The open tightness hold was judged from its summary, extended on the way.
      if (scenario === 'tightness-leak' || scenario === 'leak-hidden-by-warming') expect(monitor.stats().summaryExtensions).toBeGreaterThan(0)

      const db = openDatabase(h.dataDir, 'normal')
      try {
        const devices = new DeviceRegistry(db)
        const stepEvents = new StepEventRepository(db)
        const facts = {
          calibrationOf: (deviceId: string) => ({ calibrationDue: devices.get(deviceId)?.attributes.calibrationDue }),
          accuracyOf: (deviceId: string) => meterAccuracyFromAttributes(devices.get(deviceId)?.attributes),
          stepEvents: (id: string) => stepEvents.events(id),
        }
        const ctx = loadJobContext(new JobRepository(db), facts, jobId, clock.now())!
        // Judged from whole arrays: the way every step went before the summaries (issue 8).
        const fresh = new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: h.gateway.config.siteUtcOffsetMinutes, incremental: false })
        const { verdict } = await fresh.evaluate(ctx)
        expect(JSON.stringify(live)).toBe(JSON.stringify(verdict))
      } finally {
        db.close()
      }
    } finally {
      await h.close()
    }
  }, 120_000)
})
