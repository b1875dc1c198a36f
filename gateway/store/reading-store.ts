import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'

export interface ReadingQuery {
  deviceIds: readonly string[]
  channel: ChannelName
  /** Inclusive range of device time, ms. */
  from: number
  to: number
  /**
   * Also give each reading its value and unit as sent (Reading.sent, conflicts' others too).
   * Only the readings API asks: the verdict's job cache keeps fields beyond the five columns
   * per reading, and a meter that always sends psi would give it one for every reading.
   */
  withSent?: boolean
}

/** Where readings are read back from for verdicts, charts and disputes. */
export interface ReadingStore {
  /**
   * Readings of the given devices and channel in [from, to], sorted by device time. A point
   * re-sent with other values carries them in `conflict` where the store keeps them (SQLite
   * does; InfluxDB holds only the first value, docs/influx-schema.md).
   */
  query(q: ReadingQuery): Promise<Reading[]>
}
