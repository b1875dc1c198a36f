import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'

export interface ReadingQuery {
  deviceIds: readonly string[]
  channel: ChannelName
  /** Inclusive range of device time, ms. */
  from: number
  to: number
}

/** Where readings are read back from for verdicts, charts and disputes. */
export interface ReadingStore {
  /** Readings of the given devices and channel in [from, to], sorted by device time. */
  query(q: ReadingQuery): Promise<Reading[]>
}
