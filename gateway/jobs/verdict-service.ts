/**
 * The verdict of a job: gathers the job's markers and readings and hands them, with the
 * rule pack and the current time, to the pure evaluators in rules/.
 */
import type { RulePack } from '../../rules/pack-schema.js'
import { overallStatus, type StepResult, type VerdictStatus } from '../../rules/result.js'
import { evaluateTestRun } from '../../rules/test-run.js'
import type { Clock } from '../clock.js'
import type { ReadingStore } from '../store/reading-store.js'
import type { JobRepository } from './job-repository.js'
import { jobReadings } from './job-readings.js'
import { stepWindow } from './step-window.js'

export interface Verdict {
  jobId: string
  status: VerdictStatus
  rulePack: { id: string; version: string }
  evaluatedAt: number
  steps: StepResult[]
}

export interface VerdictDeps {
  jobs: JobRepository
  store: ReadingStore
  packs: ReadonlyMap<string, RulePack>
  clock: Clock
}

export class VerdictService {
  constructor(private readonly deps: VerdictDeps) {}

  async verdict(jobId: string): Promise<Verdict | undefined> {
    const job = this.deps.jobs.get(jobId)
    if (!job) return undefined
    const pack = this.deps.packs.get(job.rulePack.id)
    const now = this.deps.clock.now()
    const steps: StepResult[] = []
    const params = pack?.steps.test_run
    if (params) steps.push(await this.testRun(jobId, params, job.unit.ratedCurrentA, now))
    return { jobId, status: overallStatus(steps), rulePack: job.rulePack, evaluatedAt: now, steps }
  }

  private async testRun(jobId: string, params: NonNullable<RulePack['steps']['test_run']>, ratedCurrentA: number, now: number): Promise<StepResult> {
    const window = stepWindow(this.deps.jobs.markers(jobId), 'test_run')
    if (!window) {
      return {
        id: 'test_run',
        status: 'incomplete',
        checks: [{ id: 'duration', status: 'pending', message: 'test run not started', clause: 'S1' }],
      }
    }
    const current = await jobReadings(this.deps.store, this.deps.jobs.attachments(jobId), 'current_a', window.start, window.stop ?? now)
    return evaluateTestRun({ params, ratedCurrentA, window, now, current })
  }
}
