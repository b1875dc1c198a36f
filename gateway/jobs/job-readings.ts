/** The readings that count for a job: those of its attached devices while they were attached. */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { Attachment } from '../../contract/job.js'

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
    const lo = Math.max(from, a.attachedAt)
    const hi = Math.min(to, a.detachedAt ?? Number.MAX_SAFE_INTEGER)
    if (lo > hi) continue
    for (const r of await store.query({ deviceIds: [a.deviceId], channel, from: lo, to: hi, ...opts })) out.push(r)
  }
  if (attachments.length > 1) out.sort((a, b) => a.ts - b.ts)
  return out
}
