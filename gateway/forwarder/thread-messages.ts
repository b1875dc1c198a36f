/**
 * What the gateway and its forwarder thread say to each other (structured clone over the
 * worker's message port): workerData at start, then messages both ways.
 */
import type { InfluxConfig } from '../config.js'
import type { LogLevel } from '../log.js'
import type { ForwarderProgress } from './forwarder.js'

export interface ForwarderThreadData {
  dataDir: string
  sync: 'full' | 'normal'
  influx: InfluxConfig
  /** The gateway's clock in ms (BigInt64Array over it), when it is not the system clock (tests). */
  clockCell?: SharedArrayBuffer
}

export type ToThread = { type: 'stop' }

export type FromThread =
  | { type: 'progress'; progress: ForwarderProgress }
  | { type: 'log'; level: LogLevel; msg: string; fields?: Record<string, unknown> | undefined }
  | { type: 'stopped' }
