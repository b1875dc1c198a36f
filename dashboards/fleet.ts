/**
 * In-service fleet dashboard, for maintenance teams: one channel across every installed
 * unit (raw in-service telemetry), the fleet's daily spread, one unit over months from the
 * hourly roll-up (long_term.telemetry_1h), and when each unit last reported.
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
import { atMost, MERGE, sortBy, table, timeseries } from './panels.js'
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

  return new DashboardBuilder('In-service fleet')
    .uid(FLEET_UID)
    .description('Installed units in service: one channel across the fleet, one unit over months, last reports.')
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
