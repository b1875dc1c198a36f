/**
 * `npm run sim -- --scenario good [...]`: plays a scenario against a running gateway and
 * prints the verdict. A thin shell: arguments in cli-args.ts, the run in run.ts.
 */
import { readFileSync } from 'node:fs'
import { parseCli, USAGE, UsageError } from './cli-args.js'
import { createAdminClient, type Verdict } from './http-client.js'
import { runScenario } from './run.js'
import { getScenario, SCENARIOS } from './scenarios/index.js'

function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined
    throw err
  }
}

function formatVerdict(jobId: string, verdict: Verdict): string {
  const lines = [`verdict for job ${jobId}: ${verdict.status}`]
  for (const step of verdict.steps) {
    lines.push(`  ${step.id}: ${step.status}`)
    for (const c of step.checks) {
      const measured = c.measured === undefined || c.measured === null ? '' : ` measured ${String(c.measured)}`
      const limit = c.limit === undefined || c.limit === null ? '' : ` limit ${String(c.limit)}`
      const unit = c.unit && (measured || limit) ? ` ${c.unit}` : ''
      lines.push(`    [${c.status}] ${c.id}${measured}${limit}${unit}${c.message ? ` · ${c.message}` : ''}`)
    }
  }
  return lines.join('\n')
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseCli(argv, { env: process.env, readFile: readFileIfExists })
  if (cmd.kind === 'help') {
    console.log(USAGE)
    return 0
  }
  if (cmd.kind === 'list') {
    for (const s of SCENARIOS.values()) console.log(`${s.name.padEnd(12)} expect ${s.expected.padEnd(4)}  ${s.description}`)
    return 0
  }
  const scenario = getScenario(cmd.scenario)
  const started = performance.now()
  const result = await runScenario({ ...cmd, log: (line) => console.log(line) })
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.published} messages from ${result.deviceIds.join(', ')}`)

  const verdict = await createAdminClient({ baseUrl: cmd.httpUrl, token: cmd.adminToken }).verdict(result.jobId)
  console.log(formatVerdict(result.jobId, verdict))
  const ok = verdict.status === scenario.expected
  console.log(ok ? `as expected (${scenario.expected})` : `NOT as expected: scenario "${scenario.name}" expects ${scenario.expected}`)
  return ok ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n(npm run sim -- --help shows the options)`)
      process.exitCode = 2
      return
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  },
)
