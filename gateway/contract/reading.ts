import type { ChannelName } from './channels.js'

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
}
