import { describe, expect, it } from 'vitest'

import { faultEvaluators, parseFaultsSection } from '../../../rules/faults/index.js'
import { faultsData, UNIT } from './faults-fixture.js'

describe('faultEvaluators', () => {
  it('the complete example pack watches all seven fault types', () => {
    const ev = faultEvaluators(parseFaultsSection(faultsData(), 'x'), UNIT)
    const watched = Object.entries(ev).filter(([, e]) => e !== undefined).map(([k]) => k)
    expect(watched).toEqual(['leakage', 'overCurrent', 'supplyVoltage', 'shortCycling', 'refrigerantLoss', 'errorCodes', 'offline'])
  })

  it('a pack with only the required parts watches only offline', () => {
    const d = faultsData()
    for (const k of ['leakage', 'overCurrent', 'supplyVoltage', 'errorCodes', 'shortCycling', 'refrigerantLoss']) delete d[k]
    const ev = faultEvaluators(parseFaultsSection(d, 'x'), UNIT)
    expect(Object.entries(ev).filter(([, e]) => e !== undefined).map(([k]) => k)).toEqual(['offline'])
  })
})
