import { describe, it, expect } from 'vitest'
import {
  ATMOSPHERE_KPA,
  findRefrigerant,
  KNOWN_REFRIGERANTS,
  saturationPressureKpaG,
  saturationTempC,
  type SaturationKind,
  type SaturationResult,
} from '../../../rules/refrigerants/index.js'
import { R22_SATURATION } from '../../../rules/refrigerants/r22.js'
import { R290_SATURATION } from '../../../rules/refrigerants/r290.js'
import { R32_SATURATION } from '../../../rules/refrigerants/r32.js'
import { R410A_BUBBLE, R410A_DEW } from '../../../rules/refrigerants/r410a.js'

/** The value of an ok result; fails the test with the result's message otherwise. */
function value(r: SaturationResult): number {
  if (!r.ok) throw new Error(r.message)
  return r.value
}

const PSI_KPA = 6.894757 // 1 psi in kPa (NIST SP 811)

describe('saturation: the DOMAIN.md table (CoolProp, checked against REFPROP)', () => {
  const temps = [0, 5, 10, 40, 45, 50]
  const rows: [string, SaturationKind, number[]][] = [
    ['R32', 'dew', [0.712, 0.85, 1.006, 2.377, 2.694, 3.04]],
    ['R32', 'bubble', [0.712, 0.85, 1.006, 2.377, 2.694, 3.04]],
    ['R410A', 'bubble', [0.699, 0.835, 0.987, 2.324, 2.632, 2.97]],
    ['R410A', 'dew', [0.697, 0.832, 0.984, 2.317, 2.625, 2.962]],
  ]
  for (const [ref, kind, mpag] of rows) {
    mpag.forEach((p, i) => {
      const t = temps[i] ?? Number.NaN
      it(`${ref} ${kind} ${p} MPa(g) → ${t} °C ± 0.15 K`, () => {
        expect(Math.abs(value(saturationTempC(ref, p * 1000, kind)) - t)).toBeLessThanOrEqual(0.15)
      })
      // The row is rounded to 1 kPa; our EOS solution and CoolProp's differ by up to 0.05 kPa more (0.002 K).
      it(`${ref} ${kind} ${t} °C → ${p} MPa(g) ± 0.6 kPa`, () => {
        expect(Math.abs(value(saturationPressureKpaG(ref, t, kind)) - p * 1000)).toBeLessThanOrEqual(0.6)
      })
    })
  }
})

describe('saturation: published points for R22 and R290 (NIST REFPROP equations of state)', () => {
  const cases: { ref: string; c: number; kPaAbs: number; tolK: number }[] = [
    // Kamei et al. 1995 EOS: 497.99 kPa abs at 0 °C; printed tables also give 497.6 (0.396 MPa(g)).
    { ref: 'R22', c: 0, kPaAbs: 497.99, tolK: 0.01 },
    { ref: 'R22', c: 0, kPaAbs: 497.6, tolK: 0.15 },
    { ref: 'R22', c: 0, kPaAbs: 396 + ATMOSPHERE_KPA, tolK: 0.15 },
    { ref: 'R22', c: 40, kPaAbs: 1433 + ATMOSPHERE_KPA, tolK: 0.15 },
    // Lemmon, McLinden & Wagner 2009: 474.46 kPa abs at 0 °C, 1369.42 at 40 °C.
    { ref: 'R290', c: 0, kPaAbs: 474, tolK: 0.15 },
    { ref: 'R290', c: 40, kPaAbs: 1369, tolK: 0.15 },
  ]
  for (const k of cases) {
    it(`${k.ref} ${k.kPaAbs.toFixed(2)} kPa abs → ${k.c} °C ± ${k.tolK} K`, () => {
      expect(Math.abs(value(saturationTempC(k.ref, k.kPaAbs - ATMOSPHERE_KPA, 'dew')) - k.c)).toBeLessThanOrEqual(k.tolK)
    })
  }
})

describe('saturation: between the 5 K rows (ln P linear in 1/T)', () => {
  // Midpoints solved from the same equations of state (phase equilibrium), kPa(g): the
  // interpolation must stay within 0.02 K of them where it is furthest from a row.
  const cases: [string, SaturationKind, number, number][] = [
    ['R32', 'dew', -37.5, 97.117],
    ['R32', 'dew', 2.5, 778.893],
    ['R32', 'dew', 42.5, 2531.603],
    ['R32', 'dew', 62.5, 4052.503],
    ['R410A', 'dew', 2.5, 762.307],
    ['R410A', 'dew', 62.5, 3948.968],
    ['R410A', 'bubble', 2.5, 765.136],
    ['R410A', 'bubble', 62.5, 3956.415],
    ['R22', 'dew', -37.5, 16.708],
    ['R22', 'dew', 42.5, 1527.904],
    ['R290', 'dew', -37.5, 22.315],
    ['R290', 'dew', 42.5, 1348.827],
  ]
  for (const [ref, kind, c, kpag] of cases) {
    it(`${ref} ${kind} ${kpag} kPa(g) → ${c} °C ± 0.02 K`, () => {
      expect(Math.abs(value(saturationTempC(ref, kpag, kind)) - c)).toBeLessThanOrEqual(0.02)
    })
  }
})

describe('saturation: the wrong web chart (R32 at 40 °F)', () => {
  const c40F = ((40 - 32) * 5) / 9 // 4.44 °C
  it('121.0 psig is 40 °F', () => {
    expect(Math.abs(value(saturationTempC('R32', 121.0 * PSI_KPA, 'dew')) - c40F)).toBeLessThanOrEqual(0.15)
    expect(value(saturationPressureKpaG('R32', c40F, 'dew')) / PSI_KPA).toBeCloseTo(121.0, 0)
  })
  it('142.9 psig, as one published chart has it, is about 9.4 °C, not 40 °F', () => {
    const t = value(saturationTempC('R32', 142.9 * PSI_KPA, 'dew'))
    expect(t).toBeGreaterThan(c40F + 4.5)
    expect(t).toBeCloseTo(9.38, 1)
  })
})

describe('saturation: shape of the data', () => {
  it('every table: −40 to +65 °C every 5 K, strictly increasing, bubble above dew', () => {
    for (const t of [R22_SATURATION, R290_SATURATION, R32_SATURATION, R410A_BUBBLE, R410A_DEW]) {
      expect([t.firstC, t.stepC, t.kPaAbs.length]).toEqual([-40, 5, 22])
      t.kPaAbs.forEach((p, i) => expect(p).toBeGreaterThan(t.kPaAbs[i - 1] ?? 0))
    }
    R410A_BUBBLE.kPaAbs.forEach((p, i) => expect(p).toBeGreaterThan(R410A_DEW.kPaAbs[i] ?? Number.POSITIVE_INFINITY))
  })

  it('pressure → temperature → pressure round-trips, and temperatures rise with pressure', () => {
    for (const ref of KNOWN_REFRIGERANTS) {
      for (const kind of ['dew', 'bubble'] as const) {
        let last = Number.NEGATIVE_INFINITY
        for (let c = -40; c <= 65; c += 0.5) {
          const p = value(saturationPressureKpaG(ref, c, kind))
          expect(p).toBeGreaterThan(last)
          last = p
          expect(value(saturationTempC(ref, p, kind))).toBeCloseTo(c, 9)
        }
      }
    }
  })

  it('pure fluids have one curve; R410A has its bubble point 0.05-0.15 K below its dew point', () => {
    for (const ref of ['R32', 'R22', 'R290']) {
      expect(value(saturationTempC(ref, 1000, 'dew'))).toBe(value(saturationTempC(ref, 1000, 'bubble')))
    }
    for (let p = 100; p <= 4000; p += 100) {
      const glide = value(saturationTempC('R410A', p, 'dew')) - value(saturationTempC('R410A', p, 'bubble'))
      expect(glide).toBeGreaterThan(0.05)
      expect(glide).toBeLessThan(0.15)
    }
  })

  it('table edges are inside: −40 °C and +65 °C', () => {
    expect(value(saturationPressureKpaG('R32', -40, 'dew'))).toBeCloseTo(177.41 - ATMOSPHERE_KPA, 6)
    expect(value(saturationPressureKpaG('R32', 65, 'dew'))).toBeCloseTo(4384.27 - ATMOSPHERE_KPA, 6)
    expect(value(saturationTempC('R32', 177.41 - ATMOSPHERE_KPA, 'dew'))).toBeCloseTo(-40, 9)
    expect(value(saturationTempC('R32', 4384.27 - ATMOSPHERE_KPA, 'dew'))).toBeCloseTo(65, 9)
  })

  it('an ok result names the refrigerant and the data source', () => {
    expect(saturationTempC('r-410a', 800, 'dew')).toMatchObject({ ok: true, refrigerant: 'R410A', source: expect.stringMatching(/^Lemmon 2003/) })
  })
})

describe('saturation: no guesses', () => {
  const outside: [string, () => SaturationResult, string][] = [
    ['below the table (°C)', () => saturationPressureKpaG('R32', -40.01, 'dew'), 'temperature -40.01 °C is outside the R32 dew-point table (-40 to 65 °C, 76.1 to 4282.9 kPa(g)): not extrapolated'],
    ['above the table (°C)', () => saturationPressureKpaG('R410A', 65.5, 'bubble'), 'temperature 65.5 °C is outside the R410A bubble-point table (-40 to 65 °C, 74.2 to 4181.3 kPa(g)): not extrapolated'],
    ['below the table (kPa)', () => saturationTempC('R32', 76, 'dew'), 'pressure 76 kPa(g) is outside the R32 dew-point table (-40 to 65 °C, 76.1 to 4282.9 kPa(g)): not extrapolated'],
    ['above the table (kPa)', () => saturationTempC('R22', 2600, 'dew'), 'pressure 2600 kPa(g) is outside the R22 dew-point table (-40 to 65 °C, 3.9 to 2599.8 kPa(g)): not extrapolated'],
    ['a vacuum', () => saturationTempC('R290', -50, 'dew'), 'pressure -50 kPa(g) is outside the R290 dew-point table (-40 to 65 °C, 9.8 to 2241.6 kPa(g)): not extrapolated'],
    ['NaN', () => saturationTempC('R32', Number.NaN, 'dew'), 'pressure NaN kPa(g) is outside the R32 dew-point table (-40 to 65 °C, 76.1 to 4282.9 kPa(g)): not extrapolated'],
  ]
  for (const [name, f, message] of outside) {
    it(name, () => expect(f()).toEqual({ ok: false, code: 'GW_ERR_OUT_OF_TABLE', message }))
  }

  it('an unknown refrigerant is named, with the known ones', () => {
    const message = 'no saturation table for refrigerant "R404A" (known: R22, R290, R32, R410A)'
    expect(saturationTempC('R404A', 800, 'dew')).toEqual({ ok: false, code: 'GW_ERR_UNKNOWN_REFRIGERANT', message })
    expect(saturationPressureKpaG('R404A', 0, 'bubble')).toEqual({ ok: false, code: 'GW_ERR_UNKNOWN_REFRIGERANT', message })
  })

  it('names are read as installers write them', () => {
    const cases: [string, string | undefined][] = [
      ['R32', 'R32'], ['r32', 'R32'], ['R-32', 'R32'], [' R 410A ', 'R410A'], ['r410a', 'R410A'], ['HFC-32', 'R32'],
      ['Propane', 'R290'], ['R-22', 'R22'], ['R410', undefined], ['', undefined], ['__proto__', undefined], ['toString', undefined],
    ]
    for (const [name, id] of cases) expect(findRefrigerant(name)?.id, name).toBe(id)
  })
})
