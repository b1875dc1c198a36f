/**
 * Every query of every generated dashboard, run against a real InfluxDB filled by
 * firmware-sim through a real gateway: each must name only fields and tags the gateway
 * writes, and return the series it promises with values in them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SPLIT_1_5HP_R32 } from '../../firmware-sim/devices.js'
import { loadDashboards, panelTargets, variables, type DashboardJson, type PanelTarget } from './dashboard-json.js'
import { startFilledInflux, WHOLE_JOB, type FilledInflux } from './filled-influx.js'
import type { InfluxResponse } from './influx-fixture.js'
import { resultProblems, staticProblems, substitute, variablesIn } from './query-check.js'

const DB = 'hvac'
/** Text boxes have no query to ask: the value a reviewer would type. */
const TYPED: Record<string, string[]> = { rated_current_a: [String(SPLIT_1_5HP_R32.ratedCurrentA)] }

let filled: FilledInflux

beforeAll(async () => {
  filled = await startFilledInflux()
}, 60_000)
afterAll(async () => {
  await filled?.influx.stop()
})

/** The values each variable offers: query variables are asked of InfluxDB, as Grafana does. */
async function variableValues(d: DashboardJson): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const v of variables(d)) {
    if (v.type === 'query') {
      const res = await filled.influx.query(v.query ?? '', DB)
      out.set(v.name, (res.results[0]?.series ?? []).flatMap((s) => s.values.map((row) => String(row[1]))))
    } else if (v.type === 'custom') {
      out.set(v.name, (v.query ?? '').split(',').map((s) => s.trim()))
    } else {
      out.set(v.name, TYPED[v.name] ?? [])
    }
  }
  return out
}

function combinations(names: readonly string[], values: Map<string, string[]>): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}]
  for (const n of names) combos = combos.flatMap((c) => (values.get(n) ?? []).map((v) => ({ ...c, [n]: v })))
  return combos
}

/** Runs a panel target once per combination of the variables it uses. */
async function check(pt: PanelTarget, query = pt.target.query): Promise<{ statics: string[]; results: string[] }> {
  const values = await variableValues(pt.dashboard)
  const used = variablesIn(query, [...values.keys()])
  const statics = new Set<string>()
  const responses: InfluxResponse[] = []
  for (const vars of combinations(used, values)) {
    const q = substitute(query, { vars, ...filled.range, interval: pt.panel.interval ?? '10s' })
    for (const p of staticProblems(q)) statics.add(p)
    responses.push(await filled.influx.query(q, DB))
  }
  return { statics: [...statics], results: resultProblems(query, responses) }
}

const dashboards = loadDashboards()

describe('generated dashboards against InfluxDB filled by firmware-sim', () => {
  it('the data covers what the dashboards show', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual(['hvac-commissioning', 'hvac-fleet', 'hvac-quality'])
    expect(filled.jobs.map((j) => j.jobId)).toContain(WHOLE_JOB)
  })

  for (const { file, dashboard } of dashboards) {
    describe(file, () => {
      it('offers the jobs and units written as variable values', async () => {
        const values = await variableValues(dashboard)
        for (const [name, list] of values) expect(list.length, `variable ${name}`).toBeGreaterThan(0)
        if (values.has('job_id')) expect(values.get('job_id')?.sort()).toEqual(filled.jobs.map((j) => j.jobId).sort())
        if (values.has('device_id')) expect(values.get('device_id')?.sort()).toEqual([...filled.units].sort())
      })

      for (const pt of panelTargets(dashboard)) {
        it(`${pt.panel.title} [${pt.target.refId}]`, async () => {
          expect(pt.target.datasource.uid).toBe('hvac-influxdb')
          const { statics, results } = await check(pt)
          expect(statics).toEqual([])
          expect(results).toEqual([])
        })
      }
    })
  }

  it('every panel of the commissioning dashboard has data for the whole commissioning', async () => {
    const { dashboard } = dashboards.find((d) => d.dashboard.uid === 'hvac-commissioning')!
    const emptyForGood: string[] = []
    for (const pt of panelTargets(dashboard)) {
      const vars = { job_id: WHOLE_JOB, rated_current_a: TYPED['rated_current_a']?.[0] ?? '' }
      const res = await filled.influx.query(substitute(pt.target.query, { vars, ...filled.range, interval: '10s' }), DB)
      if ((res.results[0]?.series ?? []).length === 0) emptyForGood.push(pt.panel.title)
    }
    expect(emptyForGood).toEqual([])
  })
})

describe('the checker catches what InfluxDB silently answers with nothing', () => {
  const commissioning = () => {
    const { dashboard } = dashboards.find((d) => d.dashboard.uid === 'hvac-commissioning')!
    const pt = panelTargets(dashboard).find((p) => p.panel.title === 'Current' && p.target.refId === 'A')
    if (!pt) throw new Error('no Current panel')
    return pt
  }

  it('a misspelt field: unknown to the schema, and no series from InfluxDB', async () => {
    const pt = commissioning()
    const broken = pt.target.query.replace('mean("current_a")', 'mean("current_amps")')
    expect(broken).not.toBe(pt.target.query)
    const { statics, results } = await check(pt, broken)
    expect(statics).toContain('"current_amps" is no field or tag of the measurements queried')
    expect(results).toContain('no series returned')
  })

  it('a misspelt tag in WHERE: unknown to the schema, and no series', async () => {
    const pt = commissioning()
    const { statics, results } = await check(pt, pt.target.query.replace('"job_id" =', '"job" ='))
    expect(statics).toContain('"job" is no field or tag of the measurements queried')
    expect(results).toContain('no series returned')
  })

  it('grouping by a tag the gateway does not write: series come back, but without the tag', async () => {
    const pt = commissioning()
    const { statics, results } = await check(pt, pt.target.query.replace('"device_id" fill', '"meter_id" fill'))
    expect(statics).toContain('"meter_id" is no field or tag of the measurements queried')
    expect(results).toContain('no series carries a value for GROUP BY tag "meter_id"')
  })

  it('a field of another measurement selected next to a real one: a column without values', async () => {
    const pt = commissioning()
    const broken = pt.target.query.replace('AS "current_a"', 'AS "current_a", mean("failed_checks") AS "failed_checks"')
    const { statics, results } = await check(pt, broken)
    expect(statics).toContain('"failed_checks" is no field or tag of the measurements queried')
    expect(results).toContain('column "failed_checks" has no value in any series')
  })
})
