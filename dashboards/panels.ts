/**
 * Panel helpers shared by the dashboards: time series with limits drawn as thresholds,
 * single-value stats and tables, all over InfluxQL targets (influx-target.ts).
 */
import * as common from '@grafana/grafana-foundation-sdk/common'
import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type DataTransformerConfig,
  type Threshold,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'
import type { CheckStatus, VerdictStatus } from '../contract/verdict.js'
import type { AlertStateTag } from '../contract/influx-schema.js'
import type { FaultSeverity } from '../rules/faults/fault-pack-schema.js'
import type { InfluxQLTarget } from './influx-target.js'
import { describeLimit, type Limit } from './limits.js'

const OK = 'green'
const BAD = 'red'
const NEUTRAL = 'text'

/** Thresholds: values at or above `limit` are bad (vacuum, earth resistance, leakage...). */
export function atMost(limit: Limit): Threshold[] {
  return [
    { value: null, color: OK },
    { value: limit.value, color: BAD },
  ]
}

/** Thresholds: values below `limit` are bad (insulation resistance, test-run minutes...). */
export function atLeast(limit: Limit): Threshold[] {
  return [
    { value: null, color: BAD },
    { value: limit.value, color: OK },
  ]
}

/** Thresholds: only [min, max) is good (air ΔT across the coil). */
export function between(min: Limit, max: Limit): Threshold[] {
  return [
    { value: null, color: BAD },
    { value: min.value, color: OK },
    { value: max.value, color: BAD },
  ]
}

/** A marker line only: the value is a reference, not a pass/fail limit. */
export function reference(value: number): Threshold[] {
  return [
    { value: null, color: NEUTRAL },
    { value, color: 'orange' },
  ]
}

export interface SeriesPanel {
  title: string
  description: string
  unit: string
  targets: readonly InfluxQLTarget[]
  /** Drawn as dashed lines (or areas with `area`). */
  thresholds?: Threshold[]
  /** Limits behind the thresholds: named with their source in the description. */
  limits?: readonly Limit[]
  area?: boolean
  logScale?: boolean
  /** Smallest GROUP BY time bucket, e.g. '1h' on the hourly roll-up. */
  minInterval?: string
  /** Relative time override, e.g. '30d'. */
  timeFrom?: string
  span?: number
}

function describe(description: string, limits: readonly Limit[] = []): string {
  return [description, ...limits.map((l) => `Limit: ${describeLimit(l)}.`)].join(' ')
}

function thresholdsConfig(steps: Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps)
}

export function timeseries(p: SeriesPanel): TimeseriesBuilder {
  const b = new TimeseriesBuilder()
    .title(p.title)
    .description(describe(p.description, p.limits))
    .unit(p.unit)
    .span(p.span ?? 12)
    .height(8)
    .spanNulls(false)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.None))
  for (const t of p.targets) b.withTarget(t)
  if (p.thresholds) {
    b.thresholds(thresholdsConfig(p.thresholds))
    const mode = p.area ? common.GraphThresholdsStyleMode.DashedAndArea : common.GraphThresholdsStyleMode.Dashed
    b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(mode))
  }
  if (p.logScale) b.scaleDistribution(new common.ScaleDistributionConfigBuilder().type(common.ScaleDistribution.Log).log(10))
  if (p.minInterval) b.interval(p.minInterval)
  if (p.timeFrom) b.timeFrom(p.timeFrom)
  return b
}

export interface StatPanel {
  title: string
  description: string
  unit: string
  /** One value, or one per target (e.g. a count per severity). */
  target: InfluxQLTarget | readonly InfluxQLTarget[]
  /** Shown when a query returns no series (a count of nothing). */
  noValue?: string
  thresholds?: Threshold[]
  limits?: readonly Limit[]
  /** Show this field (regex on the field name), e.g. a status string. */
  field?: string
  mappings?: ValueMapping[]
  span?: number
}

export function stat(p: StatPanel): StatBuilder {
  const reduce = new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false)
  if (p.field) reduce.fields(`/^${p.field}$/`)
  const b = new StatBuilder()
    .title(p.title)
    .description(describe(p.description, p.limits))
    .unit(p.unit)
    .span(p.span ?? 6)
    .height(5)
    .reduceOptions(reduce)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
  for (const t of Array.isArray(p.target) ? p.target : [p.target]) b.withTarget(t)
  if (p.noValue !== undefined) b.noValue(p.noValue)
  if (p.thresholds) b.thresholds(thresholdsConfig(p.thresholds))
  if (p.mappings) b.mappings(p.mappings)
  return b
}

/** Text → colour, e.g. a verdict status. */
export function statusColors(colors: Record<string, string>): ValueMapping[] {
  const options = Object.fromEntries(Object.entries(colors).map(([text, color], index) => [text, { color, index }]))
  return [{ type: MappingType.ValueToText, options }]
}

// `satisfies`: a status added to the contract without a colour is a compile error.
export const VERDICT_COLORS = { pass: 'green', fail: 'red', in_progress: 'blue', incomplete: 'orange' } satisfies Record<VerdictStatus, string>
export const CHECK_COLORS = { pass: 'green', fail: 'red', warn: 'orange', pending: 'blue' } satisfies Record<CheckStatus, string>
export const SEVERITY_COLORS = { critical: 'red', major: 'orange', minor: 'yellow', warning: 'blue' } satisfies Record<FaultSeverity, string>
export const ALERT_STATE_COLORS = { active: 'red', acknowledged: 'orange', cleared: 'green' } satisfies Record<AlertStateTag, string>

export interface TablePanel {
  title: string
  description: string
  target: InfluxQLTarget
  transformations?: DataTransformerConfig[]
  span?: number
  height?: number
  timeFrom?: string
  thresholds?: Threshold[]
  /** Colour cells of these fields by the thresholds. */
  coloredFields?: readonly string[]
  mappings?: ValueMapping[]
  /** Units of single columns, e.g. { raised_at: 'dateTimeAsIso' }. */
  units?: Readonly<Record<string, string>>
  /** Shown when the query returns no rows. */
  noValue?: string
}

export function table(p: TablePanel): TableBuilder {
  const b = new TableBuilder()
    .title(p.title)
    .description(p.description)
    .span(p.span ?? 12)
    .height(p.height ?? 8)
    .withTarget(p.target.table())
  for (const t of p.transformations ?? []) b.withTransformation(t)
  if (p.timeFrom) b.timeFrom(p.timeFrom)
  if (p.thresholds) b.thresholds(thresholdsConfig(p.thresholds))
  if (p.mappings) b.mappings(p.mappings)
  for (const f of p.coloredFields ?? []) {
    b.overrideByName(f, [{ id: 'custom.cellOptions', value: { type: 'color-background' } }])
  }
  for (const [f, unit] of Object.entries(p.units ?? {})) b.overrideByName(f, [{ id: 'unit', value: unit }])
  if (p.noValue !== undefined) b.noValue(p.noValue)
  return b
}

/** Tables from InfluxDB arrive one frame per series: merge them into one table first. */
export const MERGE: DataTransformerConfig = { id: 'merge', options: {} }

export function hideFields(...names: string[]): DataTransformerConfig {
  return { id: 'organize', options: { excludeByName: Object.fromEntries(names.map((n) => [n, true])) } }
}

/** Renames and orders columns (Grafana's organize transformation); `order` lists the new names' sources first. */
export function organize(o: { rename?: Record<string, string>; order?: readonly string[]; exclude?: readonly string[] }): DataTransformerConfig {
  return {
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries((o.exclude ?? []).map((n) => [n, true])),
      indexByName: Object.fromEntries((o.order ?? []).map((n, i) => [n, i])),
      renameByName: { ...o.rename },
    },
  }
}

export function sortBy(field: string, desc = true): DataTransformerConfig {
  return { id: 'sortBy', options: { sort: [{ field, desc }] } }
}
