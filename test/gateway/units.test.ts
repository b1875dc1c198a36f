import { describe, expect, it } from 'vitest'
import { ATMOSPHERE_KPA, convertToCanonical } from '../../gateway/contract/units.js'

describe('unit conversion to canonical units', () => {
  it.each([
    // [quantity, value, unit, expected canonical]
    ['pressure_gauge', 118, 'psig', 813.58],
    ['pressure_gauge', 118, 'psi', 813.58], // channel states gauge
    ['pressure_gauge', 4.0, 'MPa', 4000],
    ['pressure_gauge', 40, 'bar', 4000],
    ['pressure_gauge', 500, 'kPa(a)', 500 - ATMOSPHERE_KPA],
    ['pressure_gauge', 14.696, 'psia', 0],
    ['pressure_gauge', 3.9, 'MPaa', 3900 - ATMOSPHERE_KPA],
    ['vacuum', 0.5, 'torr', 500],
    ['vacuum', 66.661, 'Pa', 500],
    ['vacuum', 0.66661, 'mbar', 500],
    ['temperature', 77, '°F', 25],
    ['temperature', 300, 'K', 26.85],
    ['current', 5200, 'mA', 5.2],
    ['leakage', 0.0035, 'A', 3.5],
    ['insulation', 2, 'GΩ', 2000],
    ['insulation', 500, 'kohm', 0.5],
  ] as const)('%s %d %s → %d', (quantity, value, unit, expected) => {
    expect(convertToCanonical(quantity, value, unit)).toBeCloseTo(expected, 1)
  })

  it.each([
    ['vacuum', 'MPa'], // a compound gauge reading is not vacuum evidence
    ['pressure_gauge', 'micron'],
    ['temperature', '__proto__'],
    ['current', 'constructor'],
    ['voltage', ''],
  ] as const)('refuses %s in %s', (quantity, unit) => {
    expect(convertToCanonical(quantity, 1, unit)).toBeUndefined()
  })
})
