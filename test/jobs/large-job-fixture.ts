/**
 * The VRF tightness job of test/jobs/job-large.test.ts in memory, for the evaluation's
 * profile and the equivalence tests: 24 h at 1 Hz on two meters × (high, low, pipe
 * temperature), plus the two fill stages before the hold (518,400 + 1,600 readings), and a
 * store that answers the cache's loads from those arrays.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { JobContext } from '../../gateway/jobs/job-context.js'
import type { ReadingQuery, ReadingStore } from '../../gateway/store/reading-store.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'

export const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
export const HOLD_S = 86_400
export const METERS = ['vrf-a', 'vrf-b']
const CHANNELS: [ChannelName, number][] = [
  ['pressure_high_kpag', 4050],
  ['pressure_low_kpag', 4040],
  ['temp_pipe_c', 20],
]
const STAGES: [number, number][] = [
  [300, T0 - 400_000],
  [1500, T0 - 200_000],
]

/** Every reading of the job, per device and channel, sorted; `holdS` seconds of hold. */
export function largeJobReadings(holdS = HOLD_S): Reading[] {
  const out: Reading[] = []
  const receivedAt = T0 + holdS * 1000
  for (const deviceId of METERS) {
    for (const [channel, value] of CHANNELS) {
      if (channel !== 'temp_pipe_c') for (const [kpa, from] of STAGES) for (let i = 0; i < 200; i++) out.push({ deviceId, channel, ts: from + i * 1000, value: kpa, receivedAt })
      for (let i = 0; i < holdS; i++) out.push({ deviceId, channel, ts: T0 + i * 1000, value, receivedAt })
    }
  }
  return out
}

/** A store over an array of readings (what SQLite would answer), for the cache's loads. */
export class ArrayReadingStore implements ReadingStore {
  constructor(readonly all: Reading[]) {}
  async query(q: ReadingQuery): Promise<Reading[]> {
    const out: Reading[] = []
    for (const r of this.all) {
      if (r.channel !== q.channel || !q.deviceIds.includes(r.deviceId) || r.ts < q.from || r.ts > q.to) continue
      out.push({ ...r })
    }
    out.sort((a, b) => a.ts - b.ts)
    return out
  }
}

const vrfPack = () => loadRulePacks(defaultPacksDir()).get('vrf-r410a')!

/** The job's context at `now`: tightness started before the fill stages, still open. */
export function largeJobContext(now: number, calibrationDue?: string): JobContext {
  const unit = { model: 'VRF-10', invoiceModel: 'VRF-10', capacityHp: 10, refrigerant: 'R410A', phases: 3 as const, ratedCurrentA: 20, type: 'vrf' as const }
  const attachments = METERS.map((deviceId) => ({ deviceId, attachedAt: T0 - 1_000_000, detachedAt: null }))
  const calibration = Object.fromEntries(METERS.map((id) => [id, calibrationDue ? { calibrationDue } : {}]))
  return {
    job: { id: 'vrf-1', installerId: null, rulePack: { id: 'vrf-r410a', version: '1' }, unit, createdAt: T0 - 2_000_000 },
    pack: vrfPack(),
    markers: [{ step: 'tightness', action: 'start', at: T0 - 500_000, receivedAt: T0 - 500_000, facts: { gas: 'nitrogen' } }],
    overrides: [],
    attachments,
    record: {},
    calibration,
    accuracy: Object.fromEntries(METERS.map((id) => [id, {}])),
    stepEvents: [],
    confirmed: false,
    now,
  }
}
