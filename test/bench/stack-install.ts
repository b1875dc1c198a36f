/**
 * The "what users build instead" stack is not a dependency of the package: the bench installs
 * it on demand and says so. Debian's mosquitto through apt-get (when the mosquitto binary is
 * missing), Node-RED 4 (the newest major that runs on Node 20) and node-red-contrib-influxdb
 * through npm into a cache folder ($XDG_CACHE_HOME or ~/.cache, then hvac-bench/node-red).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface StackInstall {
  mosquitto: string
  mosquittoVersion: string
  nodeRedDir: string
  nodeRedVersion: string
  influxNodeVersion: string
  /** What this run installed (empty when everything was there). */
  installed: string[]
}

const NODE_RED_SPEC = 'node-red@4'
const INFLUX_NODE_SPEC = 'node-red-contrib-influxdb@0.7'

function findMosquitto(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' })
  const found = which.stdout.trim()
  return which.status === 0 && found !== '' ? found : undefined
}

function run(cmd: string, args: string[], what: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  process.stderr.write(`  stack: ${what}: ${cmd} ${args.join(' ')}\n`)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...opts })
  if (r.status !== 0) throw new Error(`${what} failed (${cmd} exited ${r.status}): ${(r.stderr ?? '').trim().slice(-2000)}`)
}

const pkgVersion = (dir: string, name: string): string | undefined => {
  const file = join(dir, 'node_modules', name, 'package.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined
}

export function ensureStack(): StackInstall {
  const installed: string[] = []
  let mosquitto = findMosquitto()
  if (!mosquitto) {
    // Debian's broker; the bench, not test/setup.sh, installs it (only this bench uses it).
    const install = (): void => run('apt-get', ['install', '-y', '--no-install-recommends', 'mosquitto'], 'installing mosquitto')
    try {
      install()
    } catch {
      // A fresh machine has no package lists yet.
      run('apt-get', ['update'], 'updating the package lists')
      install()
    }
    mosquitto = findMosquitto()
    if (!mosquitto) throw new Error('apt-get installed mosquitto, but no mosquitto binary was found')
    installed.push('mosquitto (apt-get)')
  }
  // "mosquitto version 2.0.11 starting" on -h's first line.
  const help = spawnSync(mosquitto, ['-h'], { encoding: 'utf8' })
  const mosquittoVersion = /mosquitto version (\S+)/.exec(`${help.stdout}${help.stderr}`)?.[1] ?? '?'

  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')
  const nodeRedDir = join(cache, 'hvac-bench', 'node-red')
  if (pkgVersion(nodeRedDir, 'node-red') === undefined || pkgVersion(nodeRedDir, 'node-red-contrib-influxdb') === undefined) {
    mkdirSync(nodeRedDir, { recursive: true })
    const pkg = join(nodeRedDir, 'package.json')
    if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'hvac-bench-node-red', private: true }, null, 2))
    // Under `npm run bench` the environment carries npm_* settings of this package: not for this install.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')))
    run('npm', ['install', '--prefix', nodeRedDir, '--no-audit', '--no-fund', NODE_RED_SPEC, INFLUX_NODE_SPEC], `installing ${NODE_RED_SPEC} and ${INFLUX_NODE_SPEC} into ${nodeRedDir}`, {
      cwd: nodeRedDir,
      env,
    })
    installed.push(`${NODE_RED_SPEC} + ${INFLUX_NODE_SPEC} (npm, into ${nodeRedDir})`)
  }
  const nodeRedVersion = pkgVersion(nodeRedDir, 'node-red') ?? '?'
  const influxNodeVersion = pkgVersion(nodeRedDir, 'node-red-contrib-influxdb') ?? '?'
  return { mosquitto, mosquittoVersion, nodeRedDir, nodeRedVersion, influxNodeVersion, installed }
}
