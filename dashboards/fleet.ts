/**
 * In-service fleet dashboard, for maintenance teams: the fault alerts open now (issue 11),
 * one channel across every installed unit (raw in-service telemetry), the fleet's daily
 * spread, one unit over months from the hourly roll-up (long_term.telemetry_1h), and when
 * each unit last reported.
 */
import {
  CustomVariableBuilder,
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard'
import type { ChannelName } from '../contract/channels.js'
import { qualifiedName, quoteIdent } from './influx-schema.js'
import { target } from './influx-target.js'
import { Query, variable } from './influxql.js'
import type { Limits } from './limits.js'
import { FAULT_SEVERITIES } from '../rules/faults/fault-pack-schema.js'
import { ALERT_STATE_COLORS, atMost, MERGE, organize, SEVERITY_COLORS, sortBy, stat, statusColors, table, timeseries } from './panels.js'
import { DATASOURCE_REF } from './provisioning-paths.js'

export const FLEET_UID = 'hvac-fleet'

/** What an installed unit reports in service (the meters' vacuum and insulation tests are commissioning only). */
export const IN_SERVICE_CHANNELS: readonly ChannelName[] = [
  'current_a',
  'voltage_v',
  'leakage_ma',
  'pressure_low_kpag',
  'pressure_high_kpag',
  'temp_suction_c',
  'temp_liquid_c',
  'temp_supply_air_c',
  'temp_return_air_c',
  'temp_outdoor_c',
]

const CHANNEL = variable('channel')
const DEVICE = variable('device_id')
/** `${channel}_mean` etc.: the roll-up's field for the chosen channel. */
const rolled = (agg: 'mean' | 'min' | 'max') => `\${channel}_${agg}`

/**
 * The current state of every (unit, fault): its latest alert point (a selector returns the
 * other fields and tags of that point). No $timeFilter: an alert still open was raised or
 * last changed whenever it was, not within the range shown (docs/influx-schema.md, `alert`).
 */
const alertsNow = () => Query.from('alert').allTime().select('active', (t) => t.agg('last', 'active'))

/** Alerts open now, one row per unit and fault. */
export function activeAlertsQuery() {
  const latest = alertsNow()
    .selectTag('severity')
    .selectTag('state')
    .selectTag('team')
    .select('alert_id', (t) => t.field('alert_id'))
    .select('raised_at', (t) => t.field('raised_at'))
    .select('count', (t) => t.field('count'))
    .select('value', (t) => t.field('value'))
    .groupBy('device_id', 'fault')
  const open = Query.over(latest)
  for (const c of ['severity', 'state', 'team', 'alert_id', 'raised_at', 'count', 'value']) open.select(c, (t) => t.field(c))
  return open.whereField('active', '=', 1).groupBy('device_id', 'fault')
}

/** How many alerts of `severity` are open now. */
export function openAlertCountQuery(severity: (typeof FAULT_SEVERITIES)[number]) {
  const latest = alertsNow().selectTag('severity').groupBy('device_id', 'fault')
  return Query.over(latest).select(severity, (t) => t.agg('count', 'active')).whereField('active', '=', 1).whereTag('severity', severity)
}

function alertPanels(b: DashboardBuilder): DashboardBuilder {
  const counts = stat({
    title: 'Open alerts by severity',
    description: 'Alerts active or acknowledged now, per severity (the worst seen on each alert). A severity with no open alert is left out; none at all shows 0.',
    unit: 'none',
    target: FAULT_SEVERITIES.map((sev) => target(openAlertCountQuery(sev)).alias(sev)),
    noValue: '0',
    span: 24,
  })
  for (const sev of FAULT_SEVERITIES) counts.overrideByName(sev, [{ id: 'color', value: { mode: 'fixed', fixedColor: SEVERITY_COLORS[sev] } }])
  return b
    .withRow(new RowBuilder('Alerts'))
    .withPanel(counts)
    .withPanel(
      table({
        title: 'Active alerts',
        description:
          'Fault alerts open now (active or acknowledged), one row per unit and fault, newest first: since when, how often re-triggered, the last value. Cleared alerts leave. Acknowledge, assign and clear them through the gateway (docs/alerts.md).',
        target: target(activeAlertsQuery()),
        transformations: [
          MERGE,
          organize({
            rename: {
              device_id: 'Unit', fault: 'Fault', severity: 'Severity', state: 'State', team: 'Team',
              raised_at: 'Since', count: 'Count', value: 'Last value', Time: 'Last change', alert_id: 'Alert',
            },
            order: ['device_id', 'fault', 'severity', 'state', 'team', 'raised_at', 'count', 'value', 'Time', 'alert_id'],
          }),
          sortBy('Since', true),
        ],
        units: { Since: 'dateTimeAsIso', 'Last change': 'dateTimeAsIso' },
        mappings: statusColors({ ...SEVERITY_COLORS, ...ALERT_STATE_COLORS }),
        coloredFields: ['Severity', 'State'],
        noValue: 'No open alerts',
        span: 24,
        height: 10,
      }),
    )
}

export function fleetDashboard(limits: Limits): DashboardBuilder {
  const fleetRaw = Query.from('telemetry')
    .select('value', (t) => t.aggVariable('mean', CHANNEL))
    .groupByTime()
    .groupBy('device_id')
    .fill('none')
  const fleetDaily = Query.from('telemetry_1h')
    .select('min', (t) => t.aggVariable('min', rolled('min')))
    .select('mean', (t) => t.aggVariable('mean', rolled('mean')))
    .select('max', (t) => t.aggVariable('max', rolled('max')))
    .groupByTime('1d')
    .fill('none')
  const unitMonths = Query.from('telemetry_1h')
    .select('min', (t) => t.aggVariable('min', rolled('min')))
    .select('mean', (t) => t.aggVariable('mean', rolled('mean')))
    .select('max', (t) => t.aggVariable('max', rolled('max')))
    .whereTag('device_id', DEVICE)
    .groupByTime()
    .fill('none')
  const unitSafety = Query.from('telemetry')
    .aggregate('max', 'leakage_ma')
    .aggregate('max', 'current_a')
    .whereTag('device_id', DEVICE)
    .groupByTime()
    .fill('none')
  const lastReport = Query.from('telemetry').aggregate('last', 'lag_s').groupBy('device_id')

  const dashboard = new DashboardBuilder('In-service fleet')
    .uid(FLEET_UID)
    .description('Installed units in service: open fault alerts, one channel across the fleet, one unit over months, last reports.')
    .tags(['hvac', 'in-service'])
    .time({ from: 'now-7d', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .readonly()
    .withVariable(
      new CustomVariableBuilder('channel')
        .label('Channel')
        .values(IN_SERVICE_CHANNELS.join(','))
        .current({ text: 'current_a', value: 'current_a', selected: true }),
    )
    .withVariable(
      new QueryVariableBuilder('device_id')
        .label('Unit')
        .datasource({ ...DATASOURCE_REF })
        .query(`SHOW TAG VALUES FROM ${qualifiedName('telemetry')} WITH KEY = ${quoteIdent('device_id')}`)
        .refresh(VariableRefresh.OnDashboardLoad)
        .sort(VariableSort.AlphabeticalAsc),
    )
  return alertPanels(dashboard)
    .withRow(new RowBuilder('Fleet: $channel'))
    .withPanel(
      timeseries({
        title: '$channel across the fleet',
        description: 'Raw in-service telemetry, one line per unit.',
        unit: 'none',
        targets: [target(fleetRaw).alias('$tag_device_id')],
        span: 16,
      }),
    )
    .withPanel(
      timeseries({
        title: '$channel: fleet daily range',
        description: 'Daily minimum, mean and maximum over every unit, from the hourly roll-up.',
        unit: 'none',
        targets: [target(fleetDaily).alias('$col')],
        minInterval: '1d',
        span: 8,
      }),
    )
    .withRow(new RowBuilder('Unit: $device_id'))
    .withPanel(
      timeseries({
        title: '$device_id: $channel over months',
        description: 'Hourly minimum, mean and maximum from the long-term roll-up: slow trends (refrigerant loss, rising current) show here.',
        unit: 'none',
        targets: [target(unitMonths).alias('$col')],
        minInterval: '1h',
        timeFrom: '180d',
        span: 24,
      }),
    )
    .withPanel(
      timeseries({
        title: '$device_id: leakage and current',
        description: 'Worst leakage and current per interval, raw telemetry.',
        unit: 'none',
        targets: [target(unitSafety).alias('$col')],
        thresholds: atMost(limits.leakageMaxMa),
        limits: [limits.leakageMaxMa],
        span: 12,
      }),
    )
    .withPanel(
      table({
        title: 'Last report per unit',
        description: 'Time of each unit’s latest reading and its receive lag: a unit that went quiet is at the top.',
        target: target(lastReport),
        transformations: [MERGE, sortBy('Time', false)],
        span: 12,
      }),
    )
}
