/**
 * The commissioning dashboard's queries: one job (`$job_id`), built from the schema so
 * every name is checked, and from the rule pack's limits where a query needs a number.
 */
import type { ChannelName } from '../contract/channels.js'
import { target } from './influx-target.js'
import { Query, variable } from './influxql.js'
import type { Limits } from './limits.js'

/** Steps and checks as the rules name them (rules/steps/*.ts, rules/steps/test-run/*.ts). */
export const CHECKS = {
  testRunDuration: { step: 'test_run', check: 'duration' },
  tightnessDrop: { step: 'tightness', check: 'pressure_drop' },
  evacuationDecay: { step: 'evacuation', check: 'decay' },
} as const

export const JOB_VAR = 'job_id'
export const RATED_VAR = 'rated_current_a'
const JOB = variable(JOB_VAR)

/** Mean of each channel per device, for the chosen job. */
export function channels(...names: ChannelName[]): Query<'commissioning'> {
  const q = Query.from('commissioning')
  for (const ch of names) q.aggregate('mean', ch)
  return q.whereTag('job_id', JOB).groupByTime().groupBy('device_id').fill('none')
}

export const perDevice = (q: Query<'commissioning'>) => target(q).alias('$tag_device_id $col')

/** Cumulative minutes holding at least one running reading (current >= the pack's running level). */
export function runningMinutes(limits: Limits): Query<'commissioning', string> {
  const running = Query.from('commissioning')
    .select('running', (t) => `${t.agg('count', 'current_a')} / ${t.agg('count', 'current_a')}`)
    .whereTag('job_id', JOB)
    .whereField('current_a', '>=', limits.runningCurrentMinA.value)
    .groupByTime('1m')
    .fill('none')
  return Query.over(running).select('running_minutes', (t) => `cumulative_sum(${t.field('running')})`)
}

/** Rated current × the pack's ratio as a line; the nameplate value is typed in the variable. */
export function ratedCurrentLine(limits: Limits): Query<'commissioning'> {
  return Query.from('commissioning')
    .select('rated_limit_a', (t) => `${t.agg('max', 'current_a')} * 0 + ${variable(RATED_VAR)} * ${limits.currentMaxRatioOfRated.value}`)
    .whereTag('job_id', JOB)
    .whereVariablePositive(RATED_VAR)
    .groupByTime()
    .fill('none')
}

export function airDeltaT(): Query<'commissioning'> {
  return Query.from('commissioning')
    .select('air_delta_t_k', (t) => `${t.agg('mean', 'temp_return_air_c')} - ${t.agg('mean', 'temp_supply_air_c')}`)
    .whereTag('job_id', JOB)
    .groupByTime()
    .fill('none')
}

export function receiveLag(): Query<'commissioning'> {
  return Query.from('commissioning').aggregate('max', 'lag_s').whereTag('job_id', JOB).groupByTime().groupBy('device_id').fill('none')
}

/** The job's latest verdict: a selector keeps the status tag of the point it picks. */
export function latestVerdict(): Query<'verdict'> {
  return Query.from('verdict').aggregate('last', 'failed_checks').selectTag('status').whereTag('job_id', JOB)
}

/** What one check measured, e.g. the test run's longest continuous run (÷ 60: minutes). */
export function measured(c: { step: string; check: string }, alias: string, divisor = 1): Query<'check_result'> {
  return Query.from('check_result')
    .select(alias, (t) => (divisor === 1 ? t.agg('last', 'measured') : `${t.agg('last', 'measured')} / ${divisor}`))
    .whereTag('job_id', JOB)
    .whereTag('step', c.step)
    .whereTag('check', c.check)
}

/** Latest result of every check of the job. */
export function checkResults(): Query<'check_result'> {
  return Query.from('check_result')
    .aggregate('last', 'measured')
    .selectTag('status')
    .selectTag('clause')
    .selectTag('severity')
    .whereTag('job_id', JOB)
    .groupBy('step', 'check')
}
