import { describe, expect, it } from 'vitest'

import { parseFaultsSection } from '../../../rules/faults/fault-pack-schema.js'
import { faultsData } from './faults-fixture.js'

type Path = readonly (string | number)[]
/** Sets (or, with undefined, deletes) the value at `path` in the parsed YAML. */
function setAt(data: unknown, path: Path, value: unknown): void {
  let node = data as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1)
    else delete node[last]
  } else node[last] = value
}

/** The fixture with the edits made, and the error it gives ('' if none). */
function errorAfter(...edits: [Path, unknown][]): string {
  const data = faultsData()
  for (const [path, value] of edits) setAt(data, path, value)
  try {
    parseFaultsSection(data, 'packs/x.yaml')
    return ''
  } catch (e) {
    return (e as Error).message
  }
}

describe('faults section schema', () => {
  it('accepts the complete example section with its numbers', () => {
    const f = parseFaultsSection(faultsData(), 'x')
    expect(f.leakage?.maxMa.value).toBe(3.5)
    expect(f.errorCodes?.codes.E1).toMatchObject({ fault: 'high_pressure_protection', severity: 'major' })
    expect(f.deadlines.onSiteByDistance.map((b) => b.withinS.value)).toEqual([86400, 172800, 259200])
  })

  it('refuses a number without a source, naming the field', () => {
    expect(errorAfter([['leakage', 'maxMa', 'source'], undefined])).toMatch(/^packs\/x\.yaml: faults\.leakage\.maxMa\.source: /)
  })

  it('refuses a misspelt key by its full path', () => {
    expect(errorAfter([['offline', 'silenseS'], { value: 900, source: 's' }])).toBe('packs/x.yaml: faults.offline.silenseS: unknown key (misspelt or not supported)')
  })

  it('refuses an error code that is not as the unit displays it, and a row without a source', () => {
    expect(errorAfter([['errorCodes', 'codes', 'e7'], { fault: 'x', severity: 'minor', textKey: 'fault.x', source: 's' }])).toContain('faults.errorCodes.codes.e7: error code "e7" must be 1-4 upper-case letters or digits')
    expect(errorAfter([['errorCodes', 'codes', 'E1', 'source'], ' '])).toContain('faults.errorCodes.codes.E1.source: every error code needs a source')
  })

  it('refuses an unknown severity, listing the allowed ones', () => {
    const msg = errorAfter([['overCurrent', 'severity'], 'urgent'])
    expect(msg).toContain('faults.overCurrent.severity:')
    expect(msg).toContain('"critical"')
  })

  it('refuses a voltage range upside down', () => {
    expect(errorAfter([['supplyVoltage', 'minRatio', 'value'], 1.2])).toBe('packs/x.yaml: faults.supplyVoltage.minRatio: minRatio must be below maxRatio')
  })

  it('refuses distance bands out of order or without a last "beyond" band', () => {
    expect(errorAfter([['deadlines', 'onSiteByDistance', 1, 'maxKm', 'value'], 200])).toContain('faults.deadlines.onSiteByDistance[1].maxKm: bands must be in increasing maxKm order (200 km after 300 km)')
    expect(errorAfter([['deadlines', 'onSiteByDistance', 2], undefined])).toContain('faults.deadlines.onSiteByDistance[1]: the last band must leave out maxKm')
  })

  it('refuses a trend that would judge fewer than 3 days, and an over-current ratio below 1', () => {
    expect(errorAfter([['refrigerantLoss', 'minDays', 'value'], 2])).toContain('faults.refrigerantLoss.minDays.value: a trend needs at least 3 days')
    expect(errorAfter([['overCurrent', 'maxRatioOfRated', 'value'], 0.8])).toContain('faults.overCurrent.maxRatioOfRated.value: must be at least 1')
  })

  it('requires the offline rule and the deadlines; one line per problem', () => {
    const msg = errorAfter([['offline'], undefined], [['deadlines'], undefined])
    expect(msg.split('\n')).toHaveLength(2)
    expect(msg).toContain('faults.offline:')
    expect(msg).toContain('faults.deadlines:')
  })
})
