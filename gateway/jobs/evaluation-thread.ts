/**
 * The evaluation thread: the job reading cache and the verdict service on their own SQLite
 * connection (WAL lets it read while the ingest writes), so that loading and judging a job
 * of hundreds of thousands of readings never runs on the event loop that sends PUBACKs.
 * Requests are handled one at a time, in the order they came; an evaluation that throws is
 * answered as failed and the thread goes on.
 */
import { openDatabase } from '../store/database.js'
import { SqliteReadingStore } from '../store/sqlite-reading-store.js'
import { describeError } from './evaluation-failure.js'
import type { EvaluationThreadData, FromEvaluationThread, ToEvaluationThread } from './evaluation-messages.js'
import { InlineEvaluator } from './job-evaluator.js'
import { hostedThread } from '../threads/hosted-thread.js'

const { port, data, send } = hostedThread<EvaluationThreadData, FromEvaluationThread>('evaluation-thread.ts (started by gateway/jobs/evaluation-host.ts)')

const db = openDatabase(data.dataDir, data.sync)
const evaluator = new InlineEvaluator({ store: new SqliteReadingStore(db), siteUtcOffsetMinutes: data.siteUtcOffsetMinutes, maxCachedReadings: data.maxCachedReadings })
let queue: Promise<void> = Promise.resolve()

port.on('message', (m: ToEvaluationThread) => {
  switch (m.type) {
    case 'readings':
      return evaluator.add(m.readings)
    case 'forget':
      return evaluator.forget(m.jobId)
    case 'evaluate':
      queue = queue.then(async () => {
        try {
          send({ type: 'outcome', id: m.id, outcome: await evaluator.evaluate(m.ctx) })
        } catch (err) {
          send({ type: 'failed', id: m.id, error: describeError(err) })
        }
      })
      return
    case 'stop':
      void queue.then(() => {
        db.close()
        send({ type: 'stopped' })
        port.close()
      })
  }
})
