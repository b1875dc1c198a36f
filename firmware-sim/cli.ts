/**
 * `npm run sim -- --scenario good [...]`: plays a scenario against a running gateway and
 * prints the verdict. A thin shell: arguments in cli-args.ts, the run in run.ts.
 */
import { readFileSync } from 'node:fs'
import { parseCli, USAGE, UsageError } from './cli-args.js'
import { createAdminClient } from './http-client.js'
import { formatOutcome, formatScenarioList, formatVerdict } from './report.js'
import { runScenario } from './run.js'
import { getScenario, SCENARIOS } from './scenarios/index.js'
import { IN_SERVICE_SCENARIOS } from './scenarios/in-service.js'
import { runInService } from './in-service-run.js'
import type { InServiceScenario } from './in-service-scenario.js'
import { formatAlertOutcome, formatInServiceList } from './in-service-report.js'

function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined
    throw err
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseCli(argv, { env: process.env, readFile: readFileIfExists })
  if (cmd.kind === 'help') {
    console.log(USAGE)
    return 0
  }
  if (cmd.kind === 'list') {
    console.log(formatScenarioList(SCENARIOS.values()))
    console.log(formatInServiceList(IN_SERVICE_SCENARIOS.values()))
    return 0
  }
  const inService = IN_SERVICE_SCENARIOS.get(cmd.scenario)
  if (inService) return runInServiceCli(cmd, inService)
  const scenario = getScenario(cmd.scenario)
  const started = performance.now()
  const result = await runScenario({ ...cmd, log: (line) => console.log(line) })
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.published} messages from ${result.deviceIds.join(', ')}`)

  const verdict = await createAdminClient({ baseUrl: cmd.httpUrl, token: cmd.adminToken }).verdict(result.jobId)
  console.log(formatVerdict(result.jobId, verdict))
  const outcome = formatOutcome(scenario, verdict)
  console.log(outcome.text)
  return outcome.ok ? 0 : 1
}

type RunCommand = Extract<ReturnType<typeof parseCli>, { kind: 'run' }>

/** An in-service scenario: the unit's alerts, compared with the ones it expects. */
async function runInServiceCli(cmd: RunCommand, scenario: InServiceScenario): Promise<number> {
  const started = performance.now()
  const run = await runInService({ ...cmd, scenario, ...(cmd.jobId ? { unitId: cmd.jobId } : {}), log: (line) => console.log(line) })
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${run.published} messages from ${run.connectedAs}`)
  const alerts = await run.alerts()
  const outcome = formatAlertOutcome(scenario, alerts, run.startTs)
  console.log(outcome.text)
  return outcome.ok ? 0 : 1
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
