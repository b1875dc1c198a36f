/** What the checkpoint thread (checkpoint-thread.ts) and its host (checkpoint-host.ts) say. */
import type { ThreadControl } from '../../threads/thread-messages.js'

export interface CheckpointThreadData {
  dataDir: string
  /** How often the thread looks for committed frames to copy back, ms. */
  intervalMs: number
}

export interface CheckpointProgress {
  /** PASSIVE checkpoints run (only when something was committed since the last one). */
  checkpoints: number
  failures: number
  lastError: string | null
  /** Frames in the write-ahead log and frames of it copied into the database, at the last checkpoint. */
  walFrames: number
  checkpointedFrames: number
}

export type ToCheckpointThread = ThreadControl
export type FromCheckpointThread = { type: 'progress'; progress: CheckpointProgress }
