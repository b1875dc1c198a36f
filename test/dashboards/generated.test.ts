/**
 * The committed provisioning files are exactly what `npm run dashboards` generates, the
 * datasource is the InfluxQL one on database hvac, the InfluxDB init script makes on a real
 * influxd the layout the gateway's own setup makes, and the thresholds come from the rule
 * pack (change the pack, the dashboard follows; drop a key, the build stops).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { drift, generate, PACK_FILE, REPO_ROOT } from '../../dashboards/build.js'
import { limitsFromPack } from '../../dashboards/limits.js'
import { CONTAINER, DATASOURCE_UID, REPO } from '../../dashboards/provisioning-paths.js'
import { loadConfig } from '../../gateway/config.js'
import { InfluxConnection } from '../../gateway/sinks/influx/influx-client.js'
import { influxQuery, influxRows, startInfluxServer, type InfluxServer } from '../helpers/influx-server.js'
import { loadDashboards, panelTargets, variables, type DashboardJson } from './dashboard-json.js'

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8')
const pack = () => parse(read(PACK_FILE)) as { steps: Record<string, Record<string, { value: number }>> }
const temps: string[] = []
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })))

function thresholds(d: DashboardJson, title: string): (number | null)[] {
  const panel = d.panels.find((p) => p.title === title)
  if (!panel) throw new Error(`no panel "${title}"`)
  return panel.fieldConfig?.defaults.thresholds?.steps.map((s) => s.value) ?? []
}

/** Generates the dashboards from a copy of the pack changed by `edit`. */
function generateWithPack(edit: (p: ReturnType<typeof pack>) => void): Map<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'dash-pack-'))
  temps.push(root)
  mkdirSync(join(root, 'rules/packs'), { recursive: true })
  const p = pack()
  edit(p)
  writeFileSync(join(root, PACK_FILE), stringify(p))
  return generate(root)
}

const commissioningOf = (files: Map<string, string>) => JSON.parse(files.get(`${REPO.json}/commissioning.json`) ?? '{}') as DashboardJson

describe('generated provisioning files', () => {
  it('the committed files are what `npm run dashboards` generates (run it and commit when this fails)', () => {
    expect(drift(generate())).toEqual([])
  })

  it('the drift check notices a hand edit', () => {
    const root = mkdtempSync(join(tmpdir(), 'dash-drift-'))
    temps.push(root)
    cpSync(join(REPO_ROOT, 'dashboards'), join(root, 'dashboards'), { recursive: true })
    writeFileSync(join(root, REPO.json, 'commissioning.json'), '{}\n')
    writeFileSync(join(root, REPO.json, 'stale.json'), '{}\n')
    expect(drift(generate(), root)).toEqual([`differs: ${REPO.json}/commissioning.json`, `not generated: ${REPO.json}/stale.json`])
  })

  it('provisions the InfluxQL datasource on database hvac, used by every query and variable', () => {
    const doc = parse(read(`${REPO.datasources}/influxdb.yaml`)) as { datasources: Record<string, unknown>[] }
    expect(doc.datasources).toHaveLength(1)
    expect(doc.datasources[0]).toMatchObject({
      uid: DATASOURCE_UID,
      type: 'influxdb',
      access: 'proxy',
      database: 'hvac',
      jsonData: { version: 'InfluxQL', dbName: 'hvac' },
      // Credentials come from the environment, never from the file.
      user: '${INFLUXDB_READ_USER}',
      secureJsonData: { password: '${INFLUXDB_READ_USER_PASSWORD}' },
    })
    for (const { dashboard } of loadDashboards()) {
      for (const pt of panelTargets(dashboard)) expect(pt.target.datasource).toEqual({ type: 'influxdb', uid: DATASOURCE_UID })
      for (const v of variables(dashboard).filter((x) => x.type === 'query')) expect(v.datasource?.uid).toBe(DATASOURCE_UID)
    }
  })

  it('the dashboard provider reads the directory the JSON is mounted at', () => {
    const doc = parse(read(`${REPO.providers}/hvac.yaml`)) as { providers: { type: string; options: { path: string } }[] }
    expect(doc.providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: CONTAINER.json }) })])
    expect(loadDashboards().map((d) => d.file)).toEqual(['commissioning.json', 'in-service-fleet.json', 'quality-overview.json'])
  })

})

describe('the InfluxDB init script and the gateway create the same layout', () => {
  let influx: InfluxServer | undefined
  beforeAll(async () => {
    influx = await startInfluxServer()
  })
  afterAll(() => influx?.close())

  /** What influxd holds for database hvac: its retention policies and continuous queries, as influxd shows them. */
  async function layout(url: string): Promise<{ policies: Record<string, unknown>[]; queries: Record<string, unknown>[] }> {
    const policies = await influxRows(url, 'SHOW RETENTION POLICIES ON "hvac"')
    const [cqs] = await influxQuery(url, 'SHOW CONTINUOUS QUERIES')
    const hvac = cqs?.series?.find((s) => s.name === 'hvac')
    const queries = (hvac?.values ?? []).map((row) => Object.fromEntries(hvac!.columns.map((c, i) => [c, row[i]])))
    return { policies, queries }
  }

  it('the committed init script (run as the influxdb image runs it) and the gateway’s setup() make identical policies and roll-up', async () => {
    const url = influx!.url
    // The image passes the whole file to `influx -execute`: one request, statements separated by ';'.
    await influxQuery(url, read(`${REPO.influxInit}/001-hvac-schema.iql`))
    const byScript = await layout(url)

    await influxQuery(url, 'DROP DATABASE "hvac"')
    const [databases] = await influxQuery(url, 'SHOW DATABASES')
    expect((databases?.series?.[0]?.values ?? []).flat()).not.toContain('hvac')

    // The gateway as it starts with only GW_INFLUX_URL set: its defaults, its own setup.
    const config = loadConfig({ GW_INFLUX_URL: url }).influx
    if (!config) throw new Error('GW_INFLUX_URL set but no InfluxDB config')
    await new InfluxConnection(config).setup()
    const byGateway = await layout(url)

    expect(byScript).toEqual(byGateway)
    // And the layout is the documented one (docs/influx-schema.md), not two equal empties.
    const policy = (name: string) => byGateway.policies.find((p) => p.name === name)
    expect(policy('evidence')).toMatchObject({ duration: '0s', default: false })
    expect(policy('in_service')).toMatchObject({ duration: '9600h0m0s', default: true })
    expect(policy('long_term')).toMatchObject({ duration: '0s', default: false })
    expect(byGateway.queries.map((q) => q.name)).toEqual(['telemetry_1h'])
    expect(String(byGateway.queries[0]?.query)).toMatch(/RESAMPLE EVERY 1h FOR 2h .* INTO hvac\.long_term\.telemetry_1h FROM hvac\.in_service\.telemetry GROUP BY time\(1h\), device_id/)
  })
})

describe('limits come from the rule pack', () => {
  const committed = loadDashboards().find((d) => d.dashboard.uid === 'hvac-commissioning')!.dashboard

  it('thresholds are the pack’s numbers', () => {
    const steps = pack().steps
    const v = (step: string, key: string) => steps[step]?.[key]?.value
    expect(thresholds(committed, 'Vacuum (evacuation)')).toEqual([null, v('evacuation', 'targetMicron')])
    expect(thresholds(committed, 'Insulation resistance')).toEqual([null, v('electrical', 'insulationMinMohm')])
    expect(thresholds(committed, 'Earth resistance')).toEqual([null, v('electrical', 'earthMaxOhm')])
    expect(thresholds(committed, 'Leakage current')).toEqual([null, v('electrical', 'leakageMaxMa')])
    expect(thresholds(committed, 'Current')).toEqual([null, v('test_run', 'runningCurrentMinA')])
    expect(thresholds(committed, 'Test run clock: minutes with running evidence')).toEqual([null, (v('test_run', 'minDurationS') ?? 0) / 60])
  })

  it('a changed pack changes the dashboard', () => {
    const files = generateWithPack((p) => {
      p.steps.evacuation!.targetMicron!.value = 300
      p.steps.test_run!.minDurationS!.value = 2400
    })
    const d = commissioningOf(files)
    expect(thresholds(d, 'Vacuum (evacuation)')).toEqual([null, 300])
    expect(thresholds(d, 'Test run clock: minutes with running evidence')).toEqual([null, 40])
  })

  it('a key missing from a step the pack has stops the build', () => {
    expect(() => generateWithPack((p) => delete p.steps.electrical!.earthMaxOhm)).toThrow(/steps\.electrical\.earthMaxOhm: not found/)
  })

  it('an optional check group the pack leaves out falls back to DOMAIN.md and says so', () => {
    const p = pack()
    delete p.steps.test_run!.airDeltaT
    const limits = limitsFromPack(p, PACK_FILE)
    expect(limits.airDeltaTMinK).toMatchObject({ value: 8, from: 'DOMAIN.md' })
    expect(limitsFromPack(pack(), PACK_FILE).airDeltaTMinK.from).toBe(`${PACK_FILE} steps.test_run.airDeltaT.minK`)
  })
})
