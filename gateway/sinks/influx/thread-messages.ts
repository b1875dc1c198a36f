/**
 * What the gateway and its forwarder thread say to each other (structured clone over the
 * worker's message port), besides the host's own (gateway/threads/thread-messages.ts).
 */
import type { InfluxConfig } from '../../config.js'
import type { ThreadControl, ThreadReport } from '../../threads/thread-messages.js'
import type { ForwarderProgress } from './forwarder.js'

export interface ForwarderThreadData {
  dataDir: string
  sync: 'full' | 'normal'
  influx: InfluxConfig
  /** The gateway's clock in ms (BigInt64Array over it; gateway/threads/shared-clock.ts). */
  clockCell: SharedArrayBuffer
}

export type ToThread = ThreadControl

export type FromThread = { type: 'progress'; progress: ForwarderProgress } | ThreadReport
