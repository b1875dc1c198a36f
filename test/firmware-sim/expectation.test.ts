import { describe, expect, it } from 'vitest'
import { describeExpectation, verdictMismatches } from '../../firmware-sim/expectation.js'
import type { Verdict } from '../../firmware-sim/http-client.js'
import { formatOutcome, formatScenarioList, formatVerdict } from '../../firmware-sim/report.js'
import type { Expectation } from '../../firmware-sim/scenario.js'
import { getScenario, SCENARIOS } from '../../firmware-sim/scenarios/index.js'

const expected: Expectation = {
  verdict: 'fail',
  steps: { tightness: 'fail', test_run: 'pass' },
  failedChecks: ['tightness.pressure_drop'],
}

function verdict(overrides: { status?: string; drop?: string; testRun?: string } = {}): Verdict {
  return {
    status: overrides.status ?? 'fail',
    steps: [
      {
        id: 'tightness',
        status: 'fail',
        checks: [
          { id: 'gas_nitrogen', status: 'pass', message: 'nitrogen' },
          { id: 'pressure_drop', status: overrides.drop ?? 'fail', measured: 24.73456, limit: 10, unit: 'kPa', message: 'leak: compensated drop 24.7 kPa' },
        ],
      },
      { id: 'test_run', status: overrides.testRun ?? 'pass', checks: [] },
      { id: 'evacuation', status: 'incomplete', checks: [] },
    ],
  }
}

describe('verdictMismatches', () => {
  it('is empty when the overall status, the named steps and the failing checks match (unnamed steps are not compared)', () => {
    expect(verdictMismatches(expected, verdict())).toEqual([])
  })

  it('names every difference', () => {
    expect(verdictMismatches(expected, verdict({ status: 'pass', drop: 'pending', testRun: 'fail' }))).toEqual([
      'verdict is pass, expected fail',
      'step test_run is fail, expected pass',
      'check tightness.pressure_drop is pending, expected fail',
    ])
    const missing: Expectation = { verdict: 'fail', steps: { electrical: 'pass' }, failedChecks: ['tightness.hold_duration'] }
    expect(verdictMismatches(missing, verdict())).toEqual([
      'step electrical is missing from the verdict, expected pass',
      'check tightness.hold_duration is missing from the verdict, expected fail',
    ])
  })
})

describe('describeExpectation', () => {
  it('says in one line what a scenario expects', () => {
    expect(describeExpectation(getScenario('commissioning').expected)).toBe('pass: every step passes')
    expect(describeExpectation(getScenario('good').expected)).toBe('incomplete: test_run pass')
    expect(describeExpectation(getScenario('gap').expected)).toBe('fail: test_run fail')
    expect(describeExpectation(getScenario('no-earth').expected)).toBe('fail: electrical fail (earth_present, earth_resistance)')
    expect(describeExpectation(getScenario('uncalibrated-meter').expected)).toBe('fail: power_test fail (powered), test_run fail (duration)')
  })
})

describe('report', () => {
  it('lists every scenario with its description and expectation, two lines each', () => {
    const lines = formatScenarioList(SCENARIOS.values()).split('\n')
    expect(lines).toHaveLength(2 * SCENARIOS.size)
    expect(lines[0]).toMatch(/^good {2,}A healthy 31-minute test run/)
    expect(lines[1]).toMatch(/^ +expects incomplete: test_run pass$/)
    const i = lines.findIndex((l) => l.startsWith('leak-hidden-by-warming '))
    expect(lines[i + 1]).toMatch(/^ +expects fail: tightness fail \(pressure_drop\)$/)
  })

  it('prints the verdict with rounded measurements', () => {
    expect(formatVerdict('j1', verdict()).split('\n').slice(0, 4)).toEqual([
      'verdict for job j1: fail',
      '  tightness: fail',
      '    [pass] gas_nitrogen · nitrogen',
      '    [fail] pressure_drop measured 24.735 limit 10 kPa · leak: compensated drop 24.7 kPa',
    ])
  })

  it('says whether the verdict is the expected one, and how it differs', () => {
    const s = getScenario('tightness-leak')
    const all = ['power_test', 'factory_charge', 'tightness', 'evacuation', 'electrical', 'test_run', 'installation_record']
    const v: Verdict = {
      status: 'fail',
      steps: all.map((id) => ({ id, status: id === 'tightness' ? 'fail' : 'pass', checks: id === 'tightness' ? [{ id: 'pressure_drop', status: 'fail' }] : [] })),
    }
    expect(formatOutcome(s, v)).toEqual({ ok: true, text: 'as expected: fail: tightness fail (pressure_drop)' })
    const passed = { ...v, status: 'pass', steps: v.steps.map((x) => ({ ...x, status: 'pass' })) }
    expect(formatOutcome(s, passed)).toEqual({
      ok: false,
      text: [
        'NOT as expected: scenario "tightness-leak" expects fail: tightness fail (pressure_drop)',
        '  verdict is pass, expected fail',
        '  step tightness is pass, expected fail',
      ].join('\n'),
    })
  })
})
