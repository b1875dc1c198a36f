/** Every attempt at a step is kept: the last decides, earlier ones stay visible (issue 10). */
import { describe, expect, it } from 'vitest'
import type { StepMarker } from '../../contract/job.js'
import { stepAttempts, stepWindow } from '../../gateway/jobs/step-window.js'

const m = (action: 'start' | 'stop', at: number, facts: Record<string, unknown> = {}, step: StepMarker['step'] = 'electrical'): StepMarker => ({ step, action, at, receivedAt: at, facts })

describe('stepAttempts', () => {
  it('start, stop, start, stop: two attempts with their own windows', () => {
    expect(stepAttempts([m('start', 10), m('stop', 20), m('start', 30), m('stop', 40)], 'electrical')).toEqual([
      { start: 10, stop: 20, facts: {}, restarted: false },
      { start: 30, stop: 40, facts: {}, restarted: false },
    ])
  })
  it('a start without a stop is ended by the next start (restarted); the last may still run', () => {
    expect(stepAttempts([m('start', 10), m('start', 30)], 'electrical')).toEqual([
      { start: 10, stop: 30, facts: {}, restarted: true },
      { start: 30, facts: {}, restarted: false },
    ])
  })
  it('markers sent out of order are sorted by time; a stop with no open attempt is ignored; other steps do not count', () => {
    const ms = [m('stop', 40), m('start', 30), m('stop', 5), m('start', 10), m('stop', 20), m('start', 15, {}, 'test_run')]
    expect(stepAttempts(ms, 'electrical').map((a) => [a.start, a.stop])).toEqual([[10, 20], [30, 40]])
  })
  it("a stop's facts are added to the start's (a later value replaces)", () => {
    expect(stepAttempts([m('start', 10, { earth: true, mode: 'cooling' }), m('stop', 20, { mode: 'heating' })], 'electrical')[0]!.facts).toEqual({ earth: true, mode: 'heating' })
  })
  it('the last attempt is the window stepWindow gives', () => {
    const ms = [m('start', 10), m('stop', 20), m('start', 30), m('stop', 40), m('stop', 50)]
    const last = stepAttempts(ms, 'electrical').at(-1)!
    expect({ start: last.start, stop: last.stop }).toEqual(stepWindow(ms, 'electrical'))
  })
  it('no start: no attempts', () => expect(stepAttempts([m('stop', 10)], 'electrical')).toEqual([]))
})
