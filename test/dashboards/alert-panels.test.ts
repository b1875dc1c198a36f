/**
 * The fleet dashboard's alert panels (issue 11: "the fleet dashboard shows the active ones")
 * against a real influxd holding alert changes as the gateway writes them (fill-alerts.ts):
 * raised, re-triggered, acknowledged, escalated, cleared, and raised again after a clear. The
 * committed dashboard's queries must return exactly the alerts open now, with their current
 * state; the expected rows are written here by hand from the histories' story.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaStatements } from '../../dashboards/influx-schema.js'
import { InfluxConnection } from '../../gateway/sinks/influx/influx-client.js'
import { alertPoint } from '../../gateway/sinks/influx/influx-points.js'
import { loadDashboards, panelTargets, type PanelTarget } from './dashboard-json.js'
import { fillAlerts } from './fill-alerts.js'
import { startInflux, type InfluxFixture } from './influx-fixture.js'
import { substitute } from './query-check.js'

const MIN = 60_000
const DAY = 86_400_000
/** Two days ago, 08:00 UTC: inside in_service's retention, and long before a 1-hour dashboard range. */
const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 8 * 3_600_000

let influx: InfluxFixture
beforeAll(async () => {
  influx = await startInflux()
  const res = await influx.query(schemaStatements().join('; '))
  const err = res.error ?? res.results.find((r) => r.error)?.error
  if (err) throw new Error(`schema: ${err}`)
  await fillAlerts(influx.url, T0)
}, 30_000)
afterAll(async () => {
  await influx?.stop()
})

const fleet = loadDashboards().find((d) => d.dashboard.uid === 'hvac-fleet')!.dashboard
function panel(title: string): PanelTarget[] {
  const pts = panelTargets(fleet).filter((p) => p.panel.title === title)
  if (pts.length === 0) throw new Error(`no panel "${title}" on the fleet dashboard`)
  return pts
}

/** The panel's query as Grafana sends it for the last hour (the alert queries must not care). */
async function rows(pt: PanelTarget): Promise<Record<string, unknown>[]> {
  const now = Date.now()
  const res = await influx.query(substitute(pt.target.query, { vars: {}, from: now - 3_600_000, to: now, interval: '10s' }), 'hvac')
  const err = res.error ?? res.results.find((r) => r.error)?.error
  if (err) throw new Error(err)
  const out: Record<string, unknown>[] = []
  for (const s of res.results[0]?.series ?? []) {
    for (const v of s.values) out.push({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })
  }
  return out
}

const byUnitFault = (a: Record<string, unknown>, b: Record<string, unknown>) => `${String(a.device_id)}/${String(a.fault)}`.localeCompare(`${String(b.device_id)}/${String(b.fault)}`)

describe('fleet dashboard: active alerts', () => {
  it('lists exactly the open alerts, each with its current state, since, count and last value', async () => {
    const [table] = panel('Active alerts')
    expect(table!.target.resultFormat).toBe('table')
    const got = (await rows(table!)).sort(byUnitFault)
    const at = (min: number) => T0 + min * MIN
    expect(got).toEqual([
      // Re-triggered once, then acknowledged: still open.
      { device_id: 'dash-good-unit', fault: 'leakage', time: at(25), severity: 'critical', state: 'acknowledged', team: 'north', alert_id: 'al-leak-1', raised_at: at(0), count: 2, value: 4.8 },
      // The first offline alert was cleared; the second one, raised after, is open.
      { device_id: 'dash-good-unit', fault: 'offline', time: at(300), severity: 'major', state: 'active', team: 'north', alert_id: 'al-off-2', raised_at: at(300), count: 1, value: null },
      // Raised major, now critical: one row, at its worst.
      { device_id: 'dash-overcurrent-unit', fault: 'over_current', time: at(45), severity: 'critical', state: 'active', team: 'north', alert_id: 'al-oc-1', raised_at: at(30), count: 2, value: 11.6 },
      // Escalated: with the supervisors now.
      { device_id: 'dash-overcurrent-unit', fault: 'short_cycling', time: at(240), severity: 'minor', state: 'active', team: 'supervisors', alert_id: 'al-sc-1', raised_at: at(120), count: 1, value: 9 },
      { device_id: 'dash-tightness-leak-unit', fault: 'refrigerant_loss', time: at(200), severity: 'warning', state: 'active', team: 'north', alert_id: 'al-rl-1', raised_at: at(200), count: 1, value: -2.4 },
      // supply_voltage (acknowledged, then cleared) is not listed.
    ])
  })

  it('counts the open alerts per severity', async () => {
    const counts: Record<string, unknown> = {}
    for (const pt of panel('Open alerts by severity')) {
      const r = await rows(pt)
      counts[pt.target.alias ?? pt.target.refId] = r.length === 0 ? 'no series' : r.map((x) => x[pt.target.alias ?? ''])
    }
    expect(counts).toEqual({ critical: [2], major: [1], minor: [1], warning: [1] })
  })

  it('an alert cleared now leaves the table and its severity count', async () => {
    // al-rl-1 (the only warning) is cleared by a technician: the point the gateway would write.
    const influxdb = new InfluxConnection({ url: influx.url, username: undefined, password: undefined, database: 'hvac', batchPoints: 5000, inServiceRetention: '400d' })
    await influxdb.write('alert', [
      alertPoint({ seq: 100, at: T0 + 400 * MIN, action: 'clear', state: 'cleared', team: 'north', alertId: 'al-rl-1', deviceId: 'dash-tightness-leak-unit', fault: 'refrigerant_loss', severity: 'warning', raisedAt: T0 + 200 * MIN, triggers: 1, faultCount: 1, value: -2.4, unit: 'K' }),
    ])
    const [table] = panel('Active alerts')
    expect((await rows(table!)).map((r) => r.alert_id).sort()).toEqual(['al-leak-1', 'al-oc-1', 'al-off-2', 'al-sc-1'])
    const warning = panel('Open alerts by severity').find((p) => p.target.alias === 'warning')!
    expect(await rows(warning)).toEqual([])
  })
})
