/**
 * Quality overview, for quality staff: how jobs end (latest verdict per job), which
 * clauses of the standard fail most, and which installers keep failing leak checks
 * (T4: more than 2 leak call-backs within 30 days disqualifies an installer).
 */
import { DashboardBuilder, RowBuilder, type DataTransformerConfig } from '@grafana/grafana-foundation-sdk/dashboard'
import { PanelBuilder as BarChartBuilder } from '@grafana/grafana-foundation-sdk/barchart'
import { target } from './influx-target.js'
import { Query } from './influxql.js'
import { hideFields, MERGE, sortBy, statusColors, table, VERDICT_COLORS } from './panels.js'
import { COMMISSIONING_UID } from './commissioning.js'

export const QUALITY_UID = 'hvac-quality'

/** Steps whose failures mean refrigerant escapes (contract/job.ts step ids). */
export const LEAK_STEPS = ['factory_charge', 'tightness', 'evacuation'] as const

/** T4 (addendum art.11): more than 2 leak call-backs within 30 days. */
const T4_WINDOW = '30d'
const T4_MAX = 2

/** One row per job: its latest verdict (a selector keeps the tags of the point it picks). */
const latestVerdicts = () =>
  Query.from('verdict').aggregate('last', 'failed_checks').selectTag('status').selectTag('installer_id').selectTag('rule_pack').groupBy('job_id')

const countBy = (groupField: string, countField: string): DataTransformerConfig => ({
  id: 'groupBy',
  options: {
    fields: {
      [groupField]: { operation: 'groupby', aggregations: [] },
      [countField]: { operation: 'aggregate', aggregations: ['count'] },
    },
  },
})

const rename = (from: string, to: string): DataTransformerConfig => ({ id: 'organize', options: { renameByName: { [from]: to } } })

const jobLink = {
  id: 'links',
  value: [{ title: 'Open the commissioning dashboard', url: `/d/${COMMISSIONING_UID}?var-job_id=\${__value.raw}&\${__url_time_range}` }],
}

export function qualityOverviewDashboard(): DashboardBuilder {
  // Jobs with at least one failed check, per check and clause, counted per clause.
  const failedPerJob = Query.from('check_result')
    .aggregate('last', 'value', 'failed')
    .whereTag('status', 'fail')
    .groupBy('job_id', 'check', 'clause')
  const failedByClause = Query.over(failedPerJob).aggregate('count', 'failed', 'failed_jobs').groupBy('clause')

  // Jobs with a failed leak check, per installer.
  const leaksPerJob = Query.from('check_result')
    .aggregate('last', 'value', 'failed')
    .whereTag('status', 'fail')
    .whereTagIn('step', LEAK_STEPS)
    .groupBy('installer_id', 'job_id')
  const leaksByInstaller = Query.over(leaksPerJob).aggregate('count', 'failed', 'leak_failures').groupBy('installer_id')

  const failedChecks = Query.from('check_result')
    .aggregate('last', 'measured')
    .selectTag('installer_id')
    .selectTag('severity')
    .whereTag('status', 'fail')
    .groupBy('job_id', 'step', 'check', 'clause')

  return new DashboardBuilder('Quality overview')
    .uid(QUALITY_UID)
    .description('Verdicts, failed checks by clause of the standard, and installers with repeated leak failures.')
    .tags(['hvac', 'quality'])
    .time({ from: 'now-30d', to: 'now' })
    .timezone('browser')
    .refresh('5m')
    .readonly()
    .withRow(new RowBuilder('Verdicts'))
    .withPanel(
      new BarChartBuilder()
        .title('Jobs by verdict')
        .description('Jobs in the time range counted by their latest verdict.')
        .span(8)
        .height(8)
        .withTarget(target(latestVerdicts()).table())
        .withTransformation(MERGE)
        .withTransformation(countBy('status', 'job_id'))
        .withTransformation(rename('job_id (count)', 'jobs'))
        .xField('status')
        .mappings(statusColors(VERDICT_COLORS)),
    )
    .withPanel(
      table({
        title: 'Latest verdict per job',
        description: 'Each job once, with its latest verdict; the job id opens its commissioning dashboard.',
        target: target(latestVerdicts()),
        transformations: [MERGE, hideFields('Time'), sortBy('failed_checks')],
        coloredFields: ['status'],
        mappings: statusColors(VERDICT_COLORS),
        span: 16,
      }).overrideByName('job_id', [jobLink]),
    )
    .withRow(new RowBuilder('Failed checks'))
    .withPanel(
      new BarChartBuilder()
        .title('Failed checks by clause')
        .description('Jobs failing a check, per clause of the standard (DOMAIN.md S1…S18).')
        .span(8)
        .height(8)
        .withTarget(target(failedByClause).table())
        .withTransformation(MERGE)
        .withTransformation(hideFields('Time'))
        .xField('clause'),
    )
    .withPanel(
      table({
        title: 'Failed checks',
        description: 'Every failed check in the time range: job, step, check, clause, severity and the measured value.',
        target: target(failedChecks),
        transformations: [MERGE, hideFields('Time')],
        span: 16,
      }).overrideByName('job_id', [jobLink]),
    )
    .withRow(new RowBuilder('Installers (T4: repeated leaks)'))
    .withPanel(
      table({
        title: `Installers with leak failures, last ${T4_WINDOW}`,
        description:
          `Jobs per installer with a failed ${LEAK_STEPS.join(' / ')} check in the last ${T4_WINDOW}. ` +
          `T4 (addendum art.11): more than ${T4_MAX} leak call-backs within 30 days disqualifies an installer.`,
        target: target(leaksByInstaller),
        transformations: [MERGE, hideFields('Time'), sortBy('leak_failures')],
        timeFrom: T4_WINDOW,
        thresholds: [
          { value: null, color: 'green' },
          { value: T4_MAX, color: 'orange' },
          { value: T4_MAX + 1, color: 'red' },
        ],
        coloredFields: ['leak_failures'],
        span: 24,
      }),
    )
}
