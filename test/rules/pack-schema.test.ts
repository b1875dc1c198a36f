import { tableTargetK } from '../../rules/target-superheat.js'
import { describe, it, expect, afterEach } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import { parseRulePack } from '../../rules/pack-schema.js'

const GOOD_YAML = `
id: split-ac
version: "1.0.0"
title: Split AC
appliesTo: { refrigerants: [R32] }
steps:
  test_run:
    minDurationS: { value: 1800, source: "S1" }
    maxGapS: { value: 60, source: "engineering" }
    runningCurrentMinA: { value: 0.5, source: "engineering" }
    currentMaxRatioOfRated: { value: 1.0, source: "nameplate" }
    startupGraceS: { value: 10, source: "inrush" }
    liveLagMaxS: { value: 60, source: "principle 3" }
    minLiveFraction: { value: 0.9, source: "engineering" }
`

let dirs: string[] = []
function packDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rule-packs-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs = []
})

/** The error message loadRulePacks throws, or '' if it did not throw. */
function loadError(dir: string): string {
  try {
    loadRulePacks(dir)
    return ''
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

describe('the shipped split-ac pack', () => {
  it('loads through loadRulePacks(defaultPacksDir())', () => {
    const dir = defaultPacksDir()
    expect(isAbsolute(dir)).toBe(true)
    expect(dir.endsWith(join('rules', 'packs'))).toBe(true)
    const pack = loadRulePacks(dir).get('split-ac')
    expect(pack?.version).toBe('1.1.0')
    const { airDeltaT, superheat, subcooling, airDeltaTHeating, leakage, targetSuperheat, ...tr } = pack!.steps.test_run!
    expect(airDeltaTHeating).toBeUndefined()
    expect(leakage?.maxMa.value).toBe(3.5)
    expect(targetSuperheat?.method.value).toBe('formula')
    expect([airDeltaT?.minK.value, airDeltaT?.maxK.value, superheat?.minK.value, superheat?.maxK.value, subcooling?.minK.value, subcooling?.maxK.value]).toEqual([8, 14, 3, 10, 3, 8])
    expect(Object.fromEntries(Object.entries(tr).map(([k, p]) => [k, p.value]))).toEqual({
      minDurationS: 1800,
      maxGapS: 60,
      runningCurrentMinA: 0.5,
      currentMaxRatioOfRated: 1.0,
      pullDownS: 1800,
      startupGraceS: 10,
      liveLagMaxS: 60,
      minLiveFraction: 0.9,
    })
    expect(tr.minDurationS.source).toMatch(/§5 ch\.7 art\.21.*addendum art\.11/)
  })
})

describe('loadRulePacks refuses broken packs', () => {
  it('accepts a good pack and ignores files that are not YAML', () => {
    const packs = loadRulePacks(packDir({ 'a.yaml': GOOD_YAML, 'README.md': '# not a pack' }))
    expect([...packs.keys()]).toEqual(['split-ac'])
  })

  it('names the file and the field path of every problem', () => {
    const bad = GOOD_YAML.replace('maxGapS: { value: 60,', 'maxGapS: { value: "sixty",').replace('    startupGraceS:', '    maxGap: 5\n    startupGraceS:')
    const dir = packDir({ 'split-ac.yaml': bad })
    const file = join(dir, 'split-ac.yaml')
    expect(loadError(dir).split('\n')).toEqual([
      `${file}: steps.test_run.maxGapS.value: expected number, received string`,
      `${file}: steps.test_run.maxGap: unknown key (misspelt or not supported)`,
    ])
  })

  it('gives a clear error with the file name for malformed YAML', () => {
    const dir = packDir({ 'broken.yaml': 'id: split-ac\nsteps: [unclosed\n' })
    expect(loadError(dir)).toMatch(new RegExp(`^${join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: YAML syntax error: .*line`, 's'))
  })

  it('refuses duplicate ids, naming both files', () => {
    const dir = packDir({ 'a.yaml': GOOD_YAML, 'b.yaml': GOOD_YAML })
    expect(loadError(dir)).toBe(`${join(dir, 'b.yaml')}: duplicate rule pack id "split-ac" (already defined in ${join(dir, 'a.yaml')})`)
  })

  it('refuses a missing directory', () => {
    expect(loadError(join(tmpdir(), 'no-such-rule-packs-dir-4711'))).toMatch(/^rule packs directory .*no-such-rule-packs-dir-4711: .*ENOENT/)
  })

  it('refuses an empty file', () => {
    const dir = packDir({ 'empty.yaml': '' })
    expect(loadError(dir)).toBe(`${join(dir, 'empty.yaml')}: (root): expected object, received null`)
  })
})

describe('parseRulePack', () => {
  const good = () => structuredClone(parseRulePack(loadRulePacks(defaultPacksDir()).get('split-ac'), 'split-ac'))
  const cases: { name: string; mutate: (p: Record<string, unknown>) => void; error: string }[] = [
    { name: 'id must be kebab-case', mutate: (p) => (p.id = 'Split_AC'), error: 'p.yaml: id: must be kebab-case, e.g. "split-ac"' },
    { name: 'version must be semver', mutate: (p) => (p.version = '1.0'), error: 'p.yaml: version: must be semver, e.g. "1.0.0"' },
    {
      name: 'a parameter needs its source',
      mutate: (p) => {
        const steps = p.steps as { test_run: { minDurationS: { source?: string } } }
        delete steps.test_run.minDurationS.source
      },
      error: 'p.yaml: steps.test_run.minDurationS.source: expected string, received undefined',
    },
    {
      name: 'a blank source is refused',
      mutate: (p) => ((p.steps as { test_run: { maxGapS: { source: string } } }).test_run.maxGapS.source = '  '),
      error: 'p.yaml: steps.test_run.maxGapS.source: every parameter needs a source (standard clause or engineering reason)',
    },
    {
      name: 'a fraction above 1 is refused',
      mutate: (p) => ((p.steps as { test_run: { minLiveFraction: { value: number } } }).test_run.minLiveFraction.value = 90),
      error: 'p.yaml: steps.test_run.minLiveFraction.value: Too big: expected number to be <=1',
    },
    {
      name: 'array elements are named by index',
      mutate: (p) => ((p.appliesTo as { refrigerants: string[] }).refrigerants = ['R32', 'propane']),
      error: 'p.yaml: appliesTo.refrigerants[1]: must be an ASHRAE designation, e.g. "R32"',
    },
    { name: 'an unknown step is refused', mutate: (p) => ((p.steps as Record<string, unknown>).testrun = {}), error: 'p.yaml: steps.testrun: unknown key (misspelt or not supported)' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const pack = good() as unknown as Record<string, unknown>
      c.mutate(pack)
      expect(() => parseRulePack(pack, 'p.yaml')).toThrow(new Error(c.error))
    })
  }

  it('accepts a pack without a test_run step', () => {
    const pack = parseRulePack({ id: 'x', version: '0.1.0-rc.1', title: 'X', appliesTo: {}, steps: {} }, 'x.yaml')
    expect(pack.steps.test_run).toBeUndefined()
  })
})

describe('the shipped packs (issue 10)', () => {
  const packs = loadRulePacks(defaultPacksDir())
  it('split-ac, split-r290, vrf-r410a, heat-pump-split and the Carrier model pack all load', () => {
    expect([...packs.keys()].sort()).toEqual(['carrier-38vta-fixed-orifice', 'heat-pump-split', 'split-ac', 'split-r290', 'vrf-r410a'])
  })
  it('every pack checks tightness and evacuation (no pack leaves the pressure steps out)', () => {
    for (const [id, pack] of packs) expect([id, pack.steps.tightness !== undefined, pack.steps.evacuation !== undefined]).toEqual([id, true, true])
  })
  it("the model pack carries Carrier's charging table: WB 64 °F / DB 90 °F → 9 °F, WB 58 °F / DB 80 °F → 5 °F, a dash below", () => {
    const t = packs.get('carrier-38vta-fixed-orifice')!.steps.test_run!.targetSuperheat!
    expect(t.method.value).toBe('table')
    const fToC = (f: number) => ((f - 32) * 5) / 9
    const at = (wb: number, db: number) => tableTargetK(t.table!.value, fToC(wb), fToC(db))
    const k = (f: number) => (f * 5) / 9
    const a = at(64, 90)
    expect(a.ok && a.targetK).toBeCloseTo(k(9), 6)
    const b = at(58, 80)
    expect(b.ok && b.targetK).toBeCloseTo(k(5), 6)
    expect(at(56, 80).ok).toBe(false)
    expect(packs.get('carrier-38vta-fixed-orifice')!.appliesTo.models).toEqual(['38VTA'])
  })
  it('the VRF pack has its own electrical, record and test-run values, not the split pack copies', () => {
    const vrf = packs.get('vrf-r410a')!
    const split = packs.get('split-ac')!
    expect(vrf.steps.electrical).toBeDefined()
    expect(vrf.record).toBeDefined()
    const tr = vrf.steps.test_run!
    expect(tr.runningCurrentMinA.value).not.toBe(split.steps.test_run!.runningCurrentMinA.value)
    expect(tr.pullDownS?.value).toBe(3600)
    expect(tr.superheat).toBeUndefined()
    expect(tr.runningCurrentMinA.source).not.toMatch(/split units/)
    // VRF indoor units hang on rods, outdoor units stand on frames: S7 and S10 not in the pack.
    expect(vrf.record!.plateScrewsBrickMin).toBeUndefined()
    expect(vrf.record!.bracketBolts).toBeUndefined()
  })
  it('the heat-pump pack has a heating run with its own band and no cooling band', () => {
    const hp = packs.get('heat-pump-split')!
    expect(hp.appliesTo.unitTypes).toEqual(['heat-pump-split'])
    const heating = hp.steps.test_run_heating!
    expect([heating.airDeltaTHeating?.minK.value, heating.airDeltaTHeating?.maxK.value]).toEqual([10, 25])
    expect(heating.airDeltaT).toBeUndefined()
    expect(hp.steps.test_run?.airDeltaT).toBeDefined()
  })
  it('every parameter of every shipped pack carries a source', () => {
    const missing: string[] = []
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v) || v === null || typeof v !== 'object') return
      const o = v as Record<string, unknown>
      if ('value' in o && !(typeof o.source === 'string' && o.source.trim().length > 10)) missing.push(path)
      for (const [k, x] of Object.entries(o)) if (k !== 'value') walk(x, `${path}.${k}`)
    }
    for (const [id, p] of packs) walk({ steps: p.steps, record: p.record, ports: p.ports }, id)
    expect(missing).toEqual([])
  })
})
