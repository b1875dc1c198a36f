import type { ChannelName } from './channels.js'

/** A value sent for a point (device, channel, device time), with when it arrived. */
export interface ConflictingValue {
  value: number
  /** Gateway time (ms) it arrived. */
  receivedAt: number
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
  /** Set only when the point was re-sent with a different value (caches and copies must keep it). */
  conflict?: ReadingConflict
}
