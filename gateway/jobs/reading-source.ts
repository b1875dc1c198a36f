import type { ChannelName } from '../contract/channels.js'
import type { Reading } from '../contract/reading.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { Attachment } from './job.js'
import { jobReadings } from './job-readings.js'

/** Where a verdict gets a job's readings from: the store, or the live cache of active jobs. */
export interface JobReadingSource {
  readings(jobId: string, attachments: readonly Attachment[], channel: ChannelName, from: number, to: number): Promise<Reading[]>
}

export function storeReadingSource(store: ReadingStore): JobReadingSource {
  return { readings: (_jobId, attachments, channel, from, to) => jobReadings(store, attachments, channel, from, to) }
}
