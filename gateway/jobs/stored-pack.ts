/**
 * A job's rule pack as stored with it (jobs.pack), parsed with RulePackSchema. One exception
 * keeps a fault contained to the step it is in: a step whose parameters do not parse is kept
 * as stored, so that step's evaluator fails and the job's verdict says so for that step only,
 * while the other steps are still judged (test/jobs/job-containment.test.ts). Anything
 * else that does not parse fails the job's read with a StoredRowError naming the row.
 */
import { RulePackSchema, type RulePack } from '../../rules/pack-schema.js'
import { parseStoredJson, StoredRowError } from '../store/stored-json.js'
import { z } from 'zod'

export function parseStoredPack(text: string, jobId: string): RulePack {
  const where = `id ${JSON.stringify(jobId)} column pack`
  const json = parseStoredJson(text, 'jobs', where, z.unknown())
  const full = RulePackSchema.safeParse(json)
  if (full.success) return full.data
  const badSteps = new Set<string>()
  for (const issue of full.error.issues) {
    if (issue.path[0] !== 'steps' || typeof issue.path[1] !== 'string') return parseStoredJson(text, 'jobs', where, RulePackSchema) // throws, naming the row
    badSteps.add(issue.path[1])
  }
  const raw = json as { steps: Record<string, unknown> } // the issues above are all under steps.<id>: an object with steps
  const rest: Record<string, unknown> = {}
  for (const [id, params] of Object.entries(raw.steps)) if (!badSteps.has(id)) rest[id] = params
  const parsed = RulePackSchema.safeParse({ ...(json as object), steps: rest })
  if (!parsed.success) throw new StoredRowError('jobs', where, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  const steps: Record<string, unknown> = { ...parsed.data.steps }
  for (const id of badSteps) steps[id] = raw.steps[id]
  // Cast for the kept steps only: their evaluators meet the bad parameters and fail that step.
  return { ...parsed.data, steps: steps as RulePack['steps'] }
}
