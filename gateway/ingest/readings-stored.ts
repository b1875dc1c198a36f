/**
 * The 'readings.stored' event of one committed message (bus/events.ts). Its summary costs one
 * pass over the samples; the Reading objects are built only for the devices a listener asks
 * for, so a message from a device no job watches costs no allocation per reading (issue 8).
 */
import type { Reading } from '../../contract/reading.js'
import type { ReadingsStored } from '../bus/events.js'
import type { IngestOutcome, SampleToStore } from '../store/ingest-log.js'

/** undefined: nothing of the message reached the store (every sample a repeated seq, or none). */
export function readingsStoredEvent(samples: readonly SampleToStore[], receivedAt: number, outcome: IngestOutcome): ReadingsStored | undefined {
  const deviceIds: string[] = []
  let from = NaN
  let to = NaN
  let any = false
  for (const s of samples) {
    if (s.duplicateSeq || s.readings.length === 0) continue
    any = true
    if (deviceIds[deviceIds.length - 1] !== s.deviceId && !deviceIds.includes(s.deviceId)) deviceIds.push(s.deviceId)
    for (const r of s.readings) {
      if (!(r.ts >= from)) from = r.ts
      if (!(r.ts <= to)) to = r.ts
    }
  }
  if (!any) return undefined
  return {
    deviceIds,
    count: outcome.stored,
    from,
    to,
    receivedAt,
    readingsFor: (wants) => buildReadings(samples, receivedAt, outcome, wants),
  }
}

function buildReadings(samples: readonly SampleToStore[], receivedAt: number, outcome: IngestOutcome, wants: (deviceId: string) => boolean): Reading[] {
  // A conflicting re-send does not replace the point: the listener gets the point as stored, flagged.
  const conflicts = outcome.conflicts.length === 0 ? undefined : new Map(outcome.conflicts.map((c) => [`${c.deviceId}\0${c.channel}\0${c.ts}`, c]))
  const readings: Reading[] = []
  for (const s of samples) {
    if (s.duplicateSeq || !wants(s.deviceId)) continue
    for (const r of s.readings) {
      const c = conflicts?.get(`${s.deviceId}\0${r.channel}\0${r.ts}`)
      if (c) readings.push({ deviceId: s.deviceId, channel: r.channel, ts: r.ts, value: c.first.value, receivedAt: c.first.receivedAt, conflict: c.conflict })
      else readings.push({ deviceId: s.deviceId, channel: r.channel, ts: r.ts, value: r.value, receivedAt })
    }
  }
  return readings
}
