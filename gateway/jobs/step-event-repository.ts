/**
 * Events inside a step, beside its start/stop markers: for now the evacuation pump's
 * isolation (the decay test starts there: DOMAIN.md evacuation, never guessed from the
 * curve). Stored in the step_events table; kept forever like the markers.
 */
import type { Db } from '../store/database.js'
import type { EventBus } from '../bus/event-bus.js'
import type { StepId } from '../../contract/job.js'

export const STEP_EVENT_KINDS = ['isolate'] as const
export type StepEventKind = (typeof STEP_EVENT_KINDS)[number]

export interface StepEvent {
  step: StepId
  kind: StepEventKind
  /** When it happened (device/site time, may be sent late), ms. */
  at: number
  receivedAt: number
}

export class StepEventRepository {
  private readonly insert
  private readonly select

  /** add() emits 'job.changed' on `bus`. */
  constructor(db: Db, private readonly bus?: EventBus) {
    this.insert = db.prepare('INSERT INTO step_events (job_id, step, kind, at, received_at) VALUES (?, ?, ?, ?, ?)')
    this.select = db.prepare<[string], { step: StepId; kind: StepEventKind; at: number; received_at: number }>(
      'SELECT step, kind, at, received_at FROM step_events WHERE job_id = ? ORDER BY at, id',
    )
  }

  add(jobId: string, e: StepEvent): void {
    this.insert.run(jobId, e.step, e.kind, e.at, e.receivedAt)
    this.bus?.emit('job.changed', { jobId, change: 'step-event' })
  }

  events(jobId: string): StepEvent[] {
    return this.select.all(jobId).map((r) => ({ step: r.step, kind: r.kind, at: r.at, receivedAt: r.received_at }))
  }
}
