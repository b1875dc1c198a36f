/** What every hosted worker thread and its WorkerHost say besides the thread's own messages. */
import type { LogLevel } from '../log.js'

/** workerData of every hosted thread: worker-boot.mjs imports `entry`, the thread reads `data`. */
export interface HostedThreadData<D> {
  entry: string
  data: D
}

/** Host → thread: finish the work in flight, close, then report `stopped`. */
export type ThreadControl = { type: 'stop' }

/** Thread → host: a log line for the gateway's log, or the answer to `stop`. */
export type ThreadReport =
  | { type: 'log'; level: LogLevel; msg: string; fields?: Record<string, unknown> | undefined }
  | { type: 'stopped' }
