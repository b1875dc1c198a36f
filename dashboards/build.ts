/**
 * `npm run dashboards`: builds the dashboards and provisioning files into
 * dashboards/provisioning/ and dashboards/deploy/ (both committed; a test fails when they
 * differ from what this generates). `--check` only reports drift.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard'
import { commissioningDashboard } from './commissioning.js'
import { fleetDashboard } from './fleet.js'
import { loadLimits } from './limits.js'
import { dashboardProviderYaml, datasourceYaml, influxInitIql } from './provisioning.js'
import { REPO } from './provisioning-paths.js'
import { qualityOverviewDashboard } from './quality-overview.js'

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
export const PACK_FILE = 'rules/packs/split-ac.yaml'

/** Panels get ids in order and targets refIds A, B, ...: Grafana needs both, stable ids keep diffs quiet. */
function finalize(d: Dashboard): Dashboard {
  let id = 1
  const fix = (p: Panel | RowPanel) => {
    p.id = id++
    if ('targets' in p && p.targets) {
      p.targets.forEach((t, i) => {
        Object.assign(t, { refId: String.fromCharCode(65 + i) })
      })
    }
    if (p.type === 'row' && 'panels' in p) p.panels.forEach(fix)
  }
  d.panels?.forEach(fix)
  return d
}

/** Every generated file, keyed by path relative to the repository root. */
export function generate(root: string = REPO_ROOT): Map<string, string> {
  const limits = loadLimits(join(root, PACK_FILE))
  // Paths in messages stay repository-relative, whatever the working directory.
  for (const l of Object.values(limits)) l.from = l.from.replace(join(root, PACK_FILE), PACK_FILE)
  const dashboards = {
    commissioning: commissioningDashboard(limits),
    'quality-overview': qualityOverviewDashboard(),
    'in-service-fleet': fleetDashboard(limits),
  }
  const files = new Map<string, string>()
  for (const [name, builder] of Object.entries(dashboards)) {
    files.set(`${REPO.json}/${name}.json`, JSON.stringify(finalize(builder.build()), null, 2) + '\n')
  }
  files.set(`${REPO.datasources}/influxdb.yaml`, datasourceYaml())
  files.set(`${REPO.providers}/hvac.yaml`, dashboardProviderYaml())
  files.set(`${REPO.influxInit}/001-hvac-schema.iql`, influxInitIql())
  return files
}

/** Files in the generated directories that differ from, or are missing in, or are not in `files`. */
export function drift(files: Map<string, string>, root: string = REPO_ROOT): string[] {
  const out: string[] = []
  for (const [path, content] of files) {
    let onDisk: string | undefined
    try {
      onDisk = readFileSync(join(root, path), 'utf8')
    } catch {
      onDisk = undefined
    }
    if (onDisk !== content) out.push(onDisk === undefined ? `missing: ${path}` : `differs: ${path}`)
  }
  for (const dir of Object.values(REPO)) {
    let names: string[] = []
    try {
      names = readdirSync(join(root, dir))
    } catch {
      continue
    }
    for (const n of names) if (!files.has(`${dir}/${n}`)) out.push(`not generated: ${dir}/${n}`)
  }
  return out
}

function write(files: Map<string, string>, root: string): void {
  for (const dir of Object.values(REPO)) rmSync(join(root, dir), { recursive: true, force: true })
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const files = generate()
  if (process.argv.includes('--check')) {
    const problems = drift(files)
    for (const p of problems) console.error(p)
    process.exitCode = problems.length > 0 ? 1 : 0
  } else {
    write(files, REPO_ROOT)
    for (const path of files.keys()) console.log(`wrote ${path}`)
  }
}
