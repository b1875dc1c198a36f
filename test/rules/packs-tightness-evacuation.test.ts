/** The shipped packs' tightness and evacuation sections, as the evaluators read them. */
import { describe, expect, it } from 'vitest'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import type { Reading } from '../../contract/reading.js'
import { evaluateTightness } from '../../rules/steps/tightness.js'
import { readingPath } from './helpers/reading-path.js'

const packs = loadRulePacks(defaultPacksDir())
const T0 = Date.UTC(2026, 3, 1, 8, 0, 0)

describe('split-r290', () => {
  const pack = packs.get('split-r290')!
  it('applies to R290 splits only and tests far below R410A/R32', () => {
    expect(pack.appliesTo.refrigerants).toEqual(['R290'])
    const t = pack.steps.tightness!
    expect(t.maxPressureKpaG.value).toBeLessThanOrEqual(2500)
    expect(t.testPressureKpaG.value).toBeLessThan(t.maxPressureKpaG.value)
    expect(packs.get('split-ac')!.steps.tightness!.testPressureKpaG.value).toBe(4000)
  })
  it('an R290 system filled to the R410A 4.0 MPa(g) fails as over its maximum', () => {
    const pressure: Reading[] = readingPath([[0, 0], [120, 4000], [720, 4000]], { t0: T0, channel: 'pressure_low_kpag', deviceId: 'm', stepS: 10 })
    const temps = readingPath([[0, 20], [720, 20]], { t0: T0, channel: 'temp_pipe_c', deviceId: 'm', stepS: 10 })
    const step = evaluateTightness({ params: pack.steps.tightness!, window: { start: T0, stop: T0 + 720_000 }, now: T0 + 720_000, facts: { gas: '氮气' }, readings: { pressure_low_kpag: pressure, temp_pipe_c: temps } })
    expect(step.checks.find((c) => c.id === 'test_pressure')).toMatchObject({ status: 'fail', limit: 2500 })
  })
})

describe('vrf-r410a', () => {
  const pack = packs.get('vrf-r410a')!
  it('asks for the staged fill, no rise in 1 h and 2 h of evacuation', () => {
    expect(pack.steps.tightness!.stages!.value).toEqual([{ kpaG: 300, minHoldS: 180 }, { kpaG: 1500, minHoldS: 180 }])
    expect(pack.steps.evacuation!.decayCriterion!.value).toBe('no_rise')
    expect(pack.steps.evacuation!.decayTestS.value).toBe(3600)
    expect(pack.steps.evacuation!.minEvacuationS!.value).toBe(7200)
  })
})

it('every pack derives its allowed drop from sourced meter defaults, not a fixed digit', () => {
  for (const [id, pack] of packs) {
    const u = pack.steps.tightness?.uncertainty
    expect(u, id).toBeDefined()
    for (const p of Object.values(u!)) expect(p.source.length, id).toBeGreaterThan(20)
  }
})
