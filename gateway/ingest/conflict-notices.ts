/**
 * Rate-limited notices of conflicting re-sends on the device's error topic (GW_ERR_CONFLICT).
 * A device that keeps re-sending other values for stored device times (a clock stuck at one
 * time, a firmware re-stamping samples) must not get one message per reading back: the first
 * conflict is told at once, later ones within the interval are counted and told, with the
 * count, with the next conflict after it. Nothing is lost by the limit: every conflict is
 * stored, counted (IngestCounters.conflicts) and listed by the readings API.
 */
import type { DeviceConflictNotice } from '../../contract/telemetry.js'
import type { StoredConflict } from '../store/ingest-log.js'

const MAX_DETAILS = 5

export class ConflictNotices {
  /** Per publisher: when the last notice went out, and conflicts since then not yet told. */
  private readonly byDevice = new Map<string, { sentAt: number; untold: number }>()

  constructor(private readonly intervalMs = 10_000) {}

  /** The notice to send now for a message's conflicts, or undefined when one went out less than the interval ago. */
  note(deviceId: string, topic: string, conflicts: readonly StoredConflict[], now: number): DeviceConflictNotice | undefined {
    const state = this.byDevice.get(deviceId)
    const untold = (state?.untold ?? 0) + conflicts.length
    if (state && now - state.sentAt < this.intervalMs) {
      state.untold = untold
      return undefined
    }
    this.byDevice.set(deviceId, { sentAt: now, untold: 0 })
    const details = conflicts.slice(0, MAX_DETAILS).map(
      (c) => `${c.deviceId === deviceId ? '' : `${c.deviceId} `}${c.channel} at ${new Date(c.ts).toISOString()} (${c.ts}): ${c.first.value} stored first, ${c.value} now; both kept`,
    )
    if (conflicts.length > MAX_DETAILS) details.push(`and ${conflicts.length - MAX_DETAILS} more in this message`)
    const since = state ? ` since the last notice (${new Date(state.sentAt).toISOString()})` : ''
    return {
      status: 'warning',
      error: {
        code: 'GW_ERR_CONFLICT',
        message: `${untold} reading(s) re-sent${since} with a device time already stored but a different value; all values were kept and flagged for review`,
        details,
      },
      topic,
      receivedAt: now,
    }
  }
}
