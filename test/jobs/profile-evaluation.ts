/**
 * Where one evaluation of the 518,400-reading VRF tightness job goes (issue 8): run with
 *   npx tsx test/jobs/profile-evaluation.ts [evaluations]
 * Prints the time of a whole verdict from a warm cache (one new reading between two; the
 * context is built before the clock starts, as the monitor reads it before it asks), what
 * the last one touched, and, for reference, the phases of judging the same readings from
 * whole arrays (the way every evaluation went before the tightness summary, and the way a
 * step without one still goes).
 */
import { partitionByCalibration } from '../../rules/calibration.js'
import { readingConflictsCheck } from '../../rules/reading-conflicts.js'
import { evaluateTightness } from '../../rules/steps/tightness.js'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import { JobReadingCache } from '../../gateway/jobs/job-reading-cache.js'
import { VerdictService } from '../../gateway/jobs/verdict-service.js'
import { ArrayReadingStore, HOLD_S, largeJobContext, largeJobReadings, METERS, T0 } from './large-job-fixture.js'

const runs = Number(process.argv[2] ?? 10)
const all = largeJobReadings()
const cache = new JobReadingCache(new ArrayReadingStore(all))
const service = new VerdictService({ cache, siteUtcOffsetMinutes: 480 })
let ts = T0 + HOLD_S * 1000
const base = largeJobContext(ts + 500) // loading the pack from YAML is not part of an evaluation
const ctx = () => ({ ...base, now: ts + 500 })
const ms = (f: () => unknown) => {
  const t = performance.now()
  f()
  return performance.now() - t
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1)

let t = performance.now()
await service.verdict(ctx())
console.log(`first evaluation (loads the cache): ${(performance.now() - t).toFixed(0)} ms`)
const whole: number[] = []
for (let i = 0; i < runs; i++) {
  cache.add([{ deviceId: 'vrf-a', channel: 'pressure_high_kpag', ts, value: 4050, receivedAt: ts }])
  ts += 1000
  t = performance.now()
  await service.verdict(ctx())
  whole.push(performance.now() - t)
}
console.log(`warm evaluation, median of ${runs}: ${median(whole)} ms (each: ${whole.map((x) => x.toFixed(1)).join(' ')})`)
console.log('last evaluation:', JSON.stringify(service.lastWork), 'cache:', JSON.stringify(cache.stats()))

const phases: Record<string, number[]> = { range: [], partitionByCalibration: [], readingConflictsCheck: [], evaluateTightness: [] }
const channels: ChannelName[] = ['pressure_high_kpag', 'pressure_low_kpag', 'temp_pipe_c']
const c = ctx()
const start = c.markers[0]!.at
for (let i = 0; i < runs; i++) {
  const got: Reading[] = []
  phases.range!.push(await (async () => {
    const t0 = performance.now()
    for (const ch of channels) for (const r of await cache.readings('vrf-1', c.attachments, ch, start, c.now)) got.push(r)
    return performance.now() - t0
  })())
  const devices = new Map(METERS.map((id) => [id, {}]))
  let counted: Reading[] = []
  phases.partitionByCalibration!.push(ms(() => (counted = partitionByCalibration(got, devices).counted)))
  phases.readingConflictsCheck!.push(ms(() => readingConflictsCheck(counted)))
  const readings: Partial<Record<ChannelName, Reading[]>> = {}
  for (const r of counted) (readings[r.channel] ??= []).push(r)
  const params = c.pack.steps.tightness!
  phases.evaluateTightness!.push(ms(() => evaluateTightness({ params, window: { start }, now: c.now, facts: { gas: 'nitrogen' }, readings, meters: new Map() })))
}
for (const [name, xs] of Object.entries(phases)) console.log(`arrays path, ${name}: ${median(xs)} ms`)
