import { describe, it, expect } from 'vitest'
import { parse } from 'yaml'
import { TestRunParamsSchema } from '../../../../rules/pack-schema.js'

// Parsed with the schema the packs are parsed with, as it is: the groups of
// rules/steps/test-run/params.ts count only because rules/pack-schema.ts spreads them into it.
// The test once re-added that spread itself, so it passed with the spread gone from the source
// (issue 9); now removing it fails every case below that uses a group (the strict schema
// refuses their keys).

// The groups proposed for rules/packs/split-ac.yaml steps.test_run, verbatim.
const SPLIT_AC_GROUPS = `
airDeltaT:
  minK:
    value: 8
    source: "DOMAIN.md test run: supply/return air ΔT about 8-14 K in cooling after 10-20 min on high fan (rule of thumb, not a charging method: outside it the check warns)"
  maxK:
    value: 14
    source: "DOMAIN.md test run: supply/return air ΔT about 8-14 K in cooling after 10-20 min on high fan (rule of thumb, not a charging method: outside it the check warns)"
  settleS:
    value: 900
    source: "DOMAIN.md test run: ΔT read after 10-20 min on high fan; 15 min is the middle of that"
  windowS:
    value: 600
    source: "engineering choice: the mean over the last 10 minutes of the 30-minute run smooths fan and compressor cycling"
superheat:
  minK:
    value: 3
    source: "engineering choice: typical band for split units at typical conditions; below ~3 K liquid may reach the compressor. The unit's own charging chart governs where a model pack gives one"
  maxK:
    value: 10
    source: "engineering choice: typical band for split units at typical conditions; above ~10 K undercharge or a restriction is likely. The unit's own charging chart governs where a model pack gives one"
  settleS:
    value: 900
    source: "manufacturers' charging instructions (e.g. ICP/Carrier R-410A split systems: operate the unit at least 15 minutes before checking charge)"
  windowS:
    value: 600
    source: "engineering choice: the median over the last 10 minutes of the 30-minute run ignores a probe knocked off the pipe"
subcooling:
  minK:
    value: 3
    source: "engineering choice: typical band for split units at typical conditions; below ~3 K flash gas before the metering device (undercharge). The rating plate's required subcooling governs where a model pack gives one"
  maxK:
    value: 8
    source: "engineering choice: typical band for split units at typical conditions; above ~8 K overcharge or a restriction is likely. The rating plate's required subcooling governs where a model pack gives one"
  settleS:
    value: 900
    source: "manufacturers' charging instructions (e.g. ICP/Carrier R-410A split systems: operate the unit at least 15 minutes before checking charge)"
  windowS:
    value: 600
    source: "engineering choice: the median over the last 10 minutes of the 30-minute run ignores a probe knocked off the pipe"
`

const BASE = {
  minDurationS: { value: 1800, source: 'S1' },
  maxGapS: { value: 60, source: 'e' },
  runningCurrentMinA: { value: 0.5, source: 'e' },
  currentMaxRatioOfRated: { value: 1, source: 'e' },
  startupGraceS: { value: 10, source: 'e' },
  liveLagMaxS: { value: 60, source: 'e' },
  minLiveFraction: { value: 0.9, source: 'e' },
}

/** zod issues as "path: message" lines. */
function issues(data: unknown): string[] {
  const r = TestRunParamsSchema.safeParse(data)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('test run check parameters (the groups in TestRunParamsSchema)', () => {
  it('the proposed split-ac groups parse, with every number sourced', () => {
    const groups = parse(SPLIT_AC_GROUPS) as Record<string, unknown>
    const p = TestRunParamsSchema.parse({ ...BASE, ...groups })
    expect(p.airDeltaT?.minK.value).toBe(8)
    expect(p.superheat?.maxK.value).toBe(10)
    expect(p.subcooling?.maxK.value).toBe(8)
  })

  it('every group is optional: the current pack still loads', () => {
    expect(issues(BASE)).toEqual([])
  })

  it('a group is all or nothing', () => {
    const partial = { ...BASE, superheat: { minK: { value: 3, source: 'e' }, maxK: { value: 10, source: 'e' } } }
    expect(issues(partial)).toEqual(['superheat.settleS: Invalid input: expected object, received undefined', 'superheat.windowS: Invalid input: expected object, received undefined'])
  })

  it('refuses min above max, a misspelt key, a zero window and a missing source', () => {
    const band = (over: Record<string, unknown>) => ({ minK: { value: 3, source: 'e' }, maxK: { value: 8, source: 'e' }, settleS: { value: 900, source: 'e' }, windowS: { value: 600, source: 'e' }, ...over })
    expect(issues({ ...BASE, subcooling: band({ minK: { value: 9, source: 'e' } }) })).toEqual(['subcooling.minK: minK must not exceed maxK'])
    expect(issues({ ...BASE, airDeltaT: band({ maxKelvin: { value: 1, source: 'e' } }) })).toEqual(['airDeltaT: Unrecognized key: "maxKelvin"'])
    expect(issues({ ...BASE, airDeltaT: band({ windowS: { value: 0, source: 'e' } }) })).toEqual(['airDeltaT.windowS.value: Too small: expected number to be >0'])
    expect(issues({ ...BASE, superheat: band({ maxK: { value: 10 } }) })).toEqual(['superheat.maxK.source: Invalid input: expected string, received undefined'])
  })
})
