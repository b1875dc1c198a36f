import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { Attachment } from '../../contract/job.js'

/** Where a verdict gets a job's readings from: the live cache of active jobs (which falls back to the store). */
export interface JobReadingSource {
  readings(jobId: string, attachments: readonly Attachment[], channel: ChannelName, from: number, to: number): Promise<Reading[]>
}
