import { describe, expect, it } from 'vitest'
import { convertToCanonical, unitRefusal } from '../../contract/units.js'

// Expected values are worked by hand from the unit definitions (1 psi = 6.894757 kPa,
// 1 torr = 1000 microns = 133.322 Pa, °F = °C × 9/5 + 32), never by the code under test.
describe('unit conversion to canonical units', () => {
  it.each([
    // [quantity, value, unit, expected canonical]
    ['pressure_gauge', 118, 'psig', 813.58],
    ['pressure_gauge', 118, 'psi', 813.58], // channel states gauge
    ['pressure_gauge', 118, 'PSI', 813.58], // no prefix: any case
    ['pressure_gauge', 118, 'Psig', 813.58],
    ['pressure_gauge', 4.0, 'MPa', 4000],
    ['pressure_gauge', 4.0, 'MPA', 4000], // prefix M kept, the rest in any case
    ['pressure_gauge', 4.0, 'Mpa(g)', 4000],
    ['pressure_gauge', 4.0, '㎫', 4000], // U+33AB SQUARE MPA folds to "MPa"
    ['pressure_gauge', 812, 'KPA', 812], // there is no "K" prefix: kPa
    ['pressure_gauge', 812, ' kpa ', 812],
    ['pressure_gauge', 40, 'bar', 4000],
    ['pressure_gauge', 40, 'BAR', 4000],
    ['vacuum', 0.0666612, 'kPa(a)', 500],
    ['vacuum', 0.5, 'torr', 500],
    ['vacuum', 0.5, 'TORR', 500],
    ['vacuum', 500, 'mTorr', 500],
    ['vacuum', 500, 'mtorr', 500], // prefix m kept
    ['vacuum', 500, 'MICRONS', 500], // "micron" is a word, not an m-prefix
    ['vacuum', 500, 'µmHg', 500], // U+00B5 micro sign
    ['vacuum', 500, 'μmHg', 500], // U+03BC Greek mu: NFKC makes them one
    ['vacuum', 66.661, 'Pa', 500],
    ['vacuum', 0.66661, 'mbar', 500],
    ['temperature', 25, '℃', 25], // U+2103 DEGREE CELSIUS
    ['temperature', 77, '℉', 25], // U+2109 DEGREE FAHRENHEIT
    ['temperature', 25, '°c', 25],
    ['temperature', 77, '°F', 25],
    ['temperature', -40, 'degF', -40],
    ['temperature', 300, 'K', 26.85],
    ['current', 5200, 'mA', 5.2],
    ['current', 5.2, 'a', 5.2],
    ['leakage', 0.0035, 'A', 3.5],
    ['leakage', 3.5, 'mA', 3.5],
    ['leakage', 350, 'µA', 0.35],
    ['voltage', 0.38, 'kV', 380],
    ['voltage', 0.38, 'KV', 380],
    ['insulation', 2, 'GΩ', 2000],
    ['insulation', 2, 'MΩ', 2],
    ['insulation', 2, 'MOhm', 2],
    ['insulation', 2, 'MΩ', 2], // U+2126 OHM SIGN
    ['insulation', 500, 'kohm', 0.5],
    ['resistance', 3.2, 'Ω', 3.2],
    ['resistance', 3200, 'mΩ', 3.2], // milliohm, not megohm
    ['resistance', 3200, 'mohm', 3.2],
  ] as const)('%s %d %s → %d', (quantity, value, unit, expected) => {
    expect(convertToCanonical(quantity, value, unit)).toBeCloseTo(expected, 1)
  })

  it.each([
    ['vacuum', 'MPa'], // a compound gauge reading is not vacuum evidence
    ['pressure_gauge', 'micron'],
    ['pressure_gauge', 'mPa'], // millipascal: was read as 5 MPa
    ['pressure_gauge', 'mpa'], // milli- by the rule: not guessed to be MPa
    ['pressure_gauge', 'mpa(g)'],
    ['pressure_gauge', 'kgf/cm2'],
    // Absolute pressures on a gauge channel: converting needs the site's atmosphere, unknown at ingest.
    ['pressure_gauge', 'kPa(a)'],
    ['pressure_gauge', 'kPaa'],
    ['pressure_gauge', 'MPaa'],
    ['pressure_gauge', 'MPa(a)'],
    ['pressure_gauge', 'bara'],
    ['pressure_gauge', 'BAR(A)'],
    ['pressure_gauge', 'psia'],
    ['pressure_gauge', 'PSIA'],
    ['vacuum', 'MTorr'], // megatorr
    ['vacuum', 'Mbar'], // megabar
    ['current', 'MA'], // megaampere
    ['leakage', 'MA'],
    ['voltage', 'MV'],
    ['insulation', 'mΩ'], // milliohm is not an insulation reading in MΩ
    ['insulation', 'mohm'], // used to be read as megohm
    ['temperature', '__proto__'],
    ['current', 'constructor'],
    ['voltage', ''],
  ] as const)('refuses %s in %s', (quantity, unit) => {
    expect(convertToCanonical(quantity, 1, unit)).toBeUndefined()
  })

  it.each([
    // [quantity, value, unit, the decimal result exactly] (binary products miss these by 1 ulp)
    ['pressure_gauge', 8.2, 'bar', 820], // 8.2 × 100 = 819.9999999999999
    ['pressure_gauge', 1.1, 'bar', 110], // 110.00000000000001
    ['pressure_gauge', 4.15, 'MPa', 4150],
    ['pressure_gauge', 100, 'psi', 689.4757],
    ['current', 5100, 'mA', 5.1],
    ['leakage', 0.0035, 'A', 3.5],
    ['temperature', 293.15, 'K', 20],
    ['temperature', 98.6, '°F', 37],
    ['voltage', 0.23, 'kV', 230],
  ] as const)('%s %d %s is exactly %d', (quantity, value, unit, expected) => {
    expect(convertToCanonical(quantity, value, unit)).toBe(expected)
  })

  it('a refusal that is only the prefix case says so', () => {
    expect(unitRefusal('pressure_gauge', 'mPa')).toMatch(/^prefixes are case-sensitive \(m = milli, M = mega\): "mPa" would be milli, the accepted unit is "MPa" \(mega\); use one of kPa, /)
    expect(unitRefusal('current', 'MA')).toMatch(/"MA" would be mega, the accepted unit is "mA" \(milli\)/)
    expect(unitRefusal('voltage', 'parsec')).toBe('use one of V, kV, mV')
  })

  it('a gauge vacuum (inHg, a compound gauge\'s kPa) on the vacuum channel is refused with what to send instead', () => {
    for (const unit of ['inHg', 'INHG', 'kPa', 'psig']) {
      expect(convertToCanonical('vacuum', 29.9, unit)).toBeUndefined()
      expect(unitRefusal('vacuum', unit)).toBe(
        `"${unit}" is a gauge vacuum (below atmosphere, as a compound gauge reads it): it cannot tell 5000 microns from 500 and needs the site's atmosphere to become absolute; send the micron probe's absolute reading (one of micron, microns, um, umHg, µm, µmHg, Torr, mTorr, Pa, mbar, kPaa, kPa(a))`,
      )
    }
  })

  it('an absolute pressure on a gauge channel is refused with what to send instead', () => {
    for (const unit of ['psia', 'kPa(a)', 'bara', 'MPaa']) {
      expect(unitRefusal('pressure_gauge', unit)).toMatch(
        new RegExp(`^"${unit.replace(/[()]/g, '\\$&')}" is an absolute pressure and this channel is gauge: the gateway cannot know the site's atmospheric pressure at ingest, so send the gauge pressure the manifold shows \\(one of kPa, kPag, kPa\\(g\\), MPa, `),
      )
    }
  })
})
