/**
 * The test run's commissioning checks beyond "it ran 30 minutes" (DOMAIN.md, "Commissioning
 * measurements", test run): air ΔT across the indoor coil, superheat at the suction line,
 * subcooling at the liquid line. Each runs only when the pack has its parameter group.
 */
import { findRefrigerant, saturationTempC, unknownRefrigerantMessage, type SaturationKind } from './refrigerants/index.js'
import type { CheckResult } from './result.js'
import { bandCheck, type BandContext, type PairValue } from './test-run-band.js'
import type { BandCheckParams } from './test-run-params.js'

/**
 * Return minus supply air, cooling. A rule of thumb (about 8-14 K after 10-20 min on high
 * fan, DOMAIN.md), not a charging method: humid return air takes capacity as latent heat
 * and lowers ΔT on a healthy unit, so outside the band the check warns (minor) for a
 * reviewer instead of failing the installation.
 */
export function airDeltaTCheck(params: BandCheckParams, c: BandContext): CheckResult {
  return {
    ...bandCheck(
      {
        id: 'air_delta_t',
        label: 'air ΔT',
        primary: 'temp_supply_air_c',
        other: 'temp_return_air_c',
        params,
        value: (supply, ret) => ({ value: ret.value - supply.value }),
        average: 'mean',
        what: 'return − supply air across the indoor coil',
        outside: { status: 'warn', severity: 'minor', advice: 'a rule of thumb, not a charging method: check airflow, filter, charge and indoor humidity' },
      },
      c,
    ),
    clause: 'S1',
  }
}

interface RefrigerantSide {
  id: 'superheat' | 'subcooling'
  kind: SaturationKind
  pipe: 'temp_suction_c' | 'temp_liquid_c'
  pressure: 'pressure_low_kpag' | 'pressure_high_kpag'
  /** Pipe temperature and saturation temperature → the value. */
  value: (pipeC: number, satC: number) => number
  what: (refrigerant: string) => string
}

const SUPERHEAT: RefrigerantSide = {
  id: 'superheat',
  kind: 'dew',
  pipe: 'temp_suction_c',
  pressure: 'pressure_low_kpag',
  value: (pipe, sat) => pipe - sat,
  what: (r) => `suction line − ${r} dew point at the low-side pressure`,
}

const SUBCOOLING: RefrigerantSide = {
  id: 'subcooling',
  kind: 'bubble',
  pipe: 'temp_liquid_c',
  pressure: 'pressure_high_kpag',
  value: (pipe, sat) => sat - pipe,
  what: (r) => `${r} bubble point at the high-side pressure − liquid line`,
}

/**
 * Out of band means a charge or metering problem (or a sensor off the pipe): a major
 * failure once the run has stopped. Unknown refrigerant → pending, so a stopped step is
 * incomplete rather than passed on evidence nobody could judge.
 */
function refrigerantCheck(side: RefrigerantSide, params: BandCheckParams, refrigerant: string, c: BandContext): CheckResult {
  const r = findRefrigerant(refrigerant)
  if (!r) {
    return {
      id: side.id,
      status: 'pending',
      unit: 'K',
      message: `${side.id} cannot be computed: ${unknownRefrigerantMessage(refrigerant)}`,
      evidence: [
        { channel: side.pipe, from: c.start, to: c.end },
        { channel: side.pressure, from: c.start, to: c.end },
      ],
    }
  }
  const value = (pipe: { value: number }, pressure: { value: number }): PairValue => {
    const sat = saturationTempC(r.id, pressure.value, side.kind)
    return sat.ok ? { value: side.value(pipe.value, sat.value) } : { error: sat.message }
  }
  return bandCheck(
    {
      id: side.id,
      label: side.id,
      primary: side.pipe,
      other: side.pressure,
      params,
      value,
      average: 'median',
      what: side.what(r.id),
      note: `${r.id} saturation data: ${r.source}`,
      outside: { status: 'fail', severity: 'major' },
    },
    c,
  )
}

export function superheatCheck(params: BandCheckParams, refrigerant: string, c: BandContext): CheckResult {
  return refrigerantCheck(SUPERHEAT, params, refrigerant, c)
}

export function subcoolingCheck(params: BandCheckParams, refrigerant: string, c: BandContext): CheckResult {
  return refrigerantCheck(SUBCOOLING, params, refrigerant, c)
}
