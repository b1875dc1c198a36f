import type { ChannelName } from './channels.js'

/**
 * The value and unit exactly as the device sent them ({"value": 118, "unit": "psi"}), kept
 * beside the canonical value as evidence (issue 10, "Evidence kept, not overwritten"): a
 * reviewer can check the conversion, and a wrong one can be redone from the original. Absent
 * when the device sent a plain number (already in the channel's canonical unit).
 */
export interface SentValue {
  value: number
  unit: string
}

/** A value sent for a point (device, channel, device time), with when it arrived. */
export interface ConflictingValue {
  value: number
  /** Gateway time (ms) it arrived. */
  receivedAt: number
  /** As sent, when the device gave a unit. */
  sent?: SentValue
}

/** How many other values of one point a Reading lists: a device re-sending one device time forever must not grow caches and answers without bound (all are kept in the store). */
export const CONFLICT_VALUES_LISTED = 20

/**
 * A point that was re-sent with other values. Nothing is dropped: the reading keeps the
 * value first stored, and the others are listed here for the reviewer (readings API, verdict).
 */
export interface ReadingConflict {
  /** The other values, in the order they arrived: the first CONFLICT_VALUES_LISTED of them. */
  others: ConflictingValue[]
  /** Set when more values than listed were kept. */
  truncated?: true
}

/** One stored reading. Device time is the evidence; receive time is its provenance. */
export interface Reading {
  deviceId: string
  channel: ChannelName
  /** Device time (ms since epoch): when the value was measured. */
  ts: number
  /** Value in the channel's canonical unit. */
  value: number
  /** Gateway time (ms) when the reading arrived; receivedAt - ts shows back-filled data. */
  receivedAt: number
  /** The value and unit as sent, when the device gave a unit (the store returns it; verdict caches need not keep it). */
  sent?: SentValue
  /** Set only when the point was re-sent with a different value (caches and copies must keep it). */
  conflict?: ReadingConflict
}
