import { describe, it, expect } from 'vitest'
import { overallStatus, stepStatusFromChecks, type CheckStatus, type StepResult, type StepStatus } from '../../rules/result.js'

const checks = (...statuses: CheckStatus[]) => statuses.map((status, i) => ({ id: `c${i}`, status, message: status }))
const steps = (...statuses: StepStatus[]): StepResult[] => statuses.map((status, i) => ({ id: `s${i}`, status, checks: [] }))

describe('stepStatusFromChecks', () => {
  const cases: { name: string; checks: CheckStatus[]; running: boolean; expected: StepStatus }[] = [
    { name: 'all pass, stopped', checks: ['pass', 'pass'], running: false, expected: 'pass' },
    { name: 'all pass, still running: not final until stopped', checks: ['pass', 'pass'], running: true, expected: 'in_progress' },
    { name: 'a fail while running is final', checks: ['pass', 'fail', 'pending'], running: true, expected: 'fail' },
    { name: 'a fail when stopped', checks: ['fail', 'warn'], running: false, expected: 'fail' },
    { name: 'warn does not fail a step', checks: ['pass', 'warn'], running: false, expected: 'pass' },
    { name: 'pending, stopped → incomplete', checks: ['pass', 'pending'], running: false, expected: 'incomplete' },
    { name: 'pending, running → in_progress', checks: ['pending', 'pass'], running: true, expected: 'in_progress' },
    { name: 'fail beats pending', checks: ['pending', 'fail'], running: false, expected: 'fail' },
    { name: 'no checks, stopped → incomplete', checks: [], running: false, expected: 'incomplete' },
    { name: 'no checks, running → in_progress', checks: [], running: true, expected: 'in_progress' },
  ]
  for (const c of cases) {
    it(c.name, () => expect(stepStatusFromChecks(checks(...c.checks), c.running)).toBe(c.expected))
  }
})

describe('overallStatus', () => {
  const cases: { steps: StepStatus[]; expected: ReturnType<typeof overallStatus> }[] = [
    { steps: [], expected: 'incomplete' },
    { steps: ['pass'], expected: 'pass' },
    { steps: ['pass', 'pass'], expected: 'pass' },
    { steps: ['pass', 'fail', 'in_progress', 'incomplete'], expected: 'fail' },
    { steps: ['incomplete', 'in_progress', 'pass'], expected: 'in_progress' },
    { steps: ['pass', 'incomplete'], expected: 'incomplete' },
  ]
  for (const c of cases) {
    it(`[${c.steps.join(', ')}] → ${c.expected}`, () => expect(overallStatus(steps(...c.steps))).toBe(c.expected))
  }
})
