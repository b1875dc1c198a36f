/**
 * Command line → run options, with an error message that says what to change. Pure apart
 * from the injected environment and file reader, so it is tested without a process.
 */
import { parseArgs } from 'node:util'
import { scenarioNames, SCENARIOS } from './scenarios/index.js'
import { IN_SERVICE_SCENARIOS } from './scenarios/in-service.js'

/** Commissioning scenarios first, then the in-service ones (issue 11). */
const allNames = (): string[] => [...scenarioNames(), ...IN_SERVICE_SCENARIOS.keys()]

export const USAGE = `Usage: npm run sim -- --scenario <name> [options]

  --scenario <name>    scenario to play (--list shows them)
  --mqtt <url>         broker URL (default mqtt://127.0.0.1:1883)
  --http <url>         gateway HTTP URL (default http://127.0.0.1:8080)
  --token <token>      admin token (default: $GW_ADMIN_TOKEN, else ./data/admin-token)
  --job <id>           job id (default sim-<scenario>-<time>); devices are <id>-unit, -clamp, -manifold
                       (and -probe, -tester in a whole commissioning); in-service scenarios: the unit's id
  --installer <id>     installer the job is recorded against (quality statistics per installer)
  --time-scale <n>     device seconds per real second; 0 = as fast as possible (default 0)
  --seed <n>           seed of the readings' noise (default 1)
  --list               list the scenarios, with the verdict each expects, and exit
  --help               show this help

In-service scenarios (issue 11: leakage-rising, unit-drops, ...) put a unit in service and play its
faults; by default their device times end now. They print the unit's alerts instead of a verdict.

Exit status: 0 when the verdict (or the alerts) is the scenario's expected one (overall, each step it
names, the checks it says fail; each alert's fault, severity, count, state), 1 when it differs, 2 on
a usage error.`

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | {
      kind: 'run'
      scenario: string
      mqttUrl: string
      httpUrl: string
      adminToken: string
      jobId: string | undefined
      installerId: string | undefined
      timeScale: number
      seed: number
    }

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface CliEnv {
  env: Record<string, string | undefined>
  /** Reads a file, or returns undefined when it does not exist. */
  readFile: (path: string) => string | undefined
}

export const ADMIN_TOKEN_FILE = './data/admin-token'

const OPTIONS = {
  scenario: { type: 'string', short: 's' },
  mqtt: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
  http: { type: 'string', default: 'http://127.0.0.1:8080' },
  token: { type: 'string' },
  job: { type: 'string' },
  installer: { type: 'string' },
  'time-scale': { type: 'string', default: '0' },
  seed: { type: 'string', default: '1' },
  list: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (err) {
    // parseArgs' own messages are clear ("Unknown option '--foo'"); keep them.
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
}

export function parseCli(argv: readonly string[], io: CliEnv): CliCommand {
  const values = parseFlags(argv)
  if (values.help) return { kind: 'help' }
  if (values.list) return { kind: 'list' }

  const scenario = values.scenario
  if (scenario === undefined) throw new UsageError(`--scenario is required; one of: ${allNames().join(', ')}`)
  if (!SCENARIOS.has(scenario) && !IN_SERVICE_SCENARIOS.has(scenario)) throw new UsageError(`unknown scenario "${scenario}"; one of: ${allNames().join(', ')}`)

  const timeScale = Number(values['time-scale'])
  if (values['time-scale'].trim() === '' || !Number.isFinite(timeScale) || timeScale < 0) {
    throw new UsageError(`--time-scale must be a number >= 0 (e.g. 60 plays a minute per second), got "${values['time-scale']}"`)
  }
  const seed = Number(values.seed)
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`)

  for (const [flag, url, protocols] of [
    ['--mqtt', values.mqtt, ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']],
    ['--http', values.http, ['http:', 'https:']],
  ] as const) {
    if (!URL.canParse(url) || !(protocols as readonly string[]).includes(new URL(url).protocol)) {
      throw new UsageError(`${flag} must be a ${protocols.join(' / ')} URL, got "${url}"`)
    }
  }

  // An empty value counts as absent: `GW_ADMIN_TOKEN= npm run sim` should fall through to the file.
  const adminToken = values.token || io.env['GW_ADMIN_TOKEN'] || io.readFile(ADMIN_TOKEN_FILE)?.trim()
  if (!adminToken) {
    throw new UsageError(`no admin token: pass --token, set GW_ADMIN_TOKEN, or start the gateway so it writes ${ADMIN_TOKEN_FILE}`)
  }

  return { kind: 'run', scenario, mqttUrl: values.mqtt, httpUrl: values.http, adminToken, jobId: values.job, installerId: values.installer, timeScale, seed }
}
