/** The readings that count for a job: those of its attached devices while they were attached (rules/attachment-window.ts). */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { Attachment } from '../../contract/job.js'
import { clip } from '../../rules/attachment-window.js'

export async function jobReadings(
  store: ReadingStore,
  attachments: readonly Attachment[],
  channel: ChannelName,
  from: number,
  to: number,
  opts: { withSent?: boolean } = {},
): Promise<Reading[]> {
  const out: Reading[] = []
  for (const a of attachments) {
    const w = clip(a, from, to)
    if (!w) continue
    for (const r of await store.query({ deviceIds: [a.deviceId], channel, from: w.from, to: w.to, ...opts })) out.push(r)
  }
  if (attachments.length > 1) out.sort((a, b) => a.ts - b.ts)
  return out
}
