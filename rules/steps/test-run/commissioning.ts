/**
 * The test run's commissioning checks beyond "it ran 30 minutes" (DOMAIN.md, "Commissioning
 * measurements", test run): air ΔT across the indoor coil, superheat at the suction line,
 * subcooling at the liquid line. Each runs only when the pack has its parameter group.
 */
import { findRefrigerant, saturationTempC, unknownRefrigerantMessage, type SaturationKind } from '../../refrigerants/index.js'
import type { CheckResult } from '../../result.js'
import { bandCheck, type BandContext, type PairValue } from './band.js'
import type { SiteAtmosphere } from '../../site-atmosphere.js'
import type { BandCheckParams } from './params.js'

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

/**
 * Supply minus return air in a heating run: the indoor coil is the condenser, so the air
 * is warmed. A rule of thumb like the cooling ΔT, so outside its band it warns.
 */
export function airDeltaTHeatingCheck(params: BandCheckParams, c: BandContext): CheckResult {
  return {
    ...bandCheck(
      {
        id: 'air_delta_t',
        label: 'air ΔT (heating)',
        primary: 'temp_supply_air_c',
        other: 'temp_return_air_c',
        params,
        value: (supply, ret) => ({ value: supply.value - ret.value }),
        average: 'mean',
        what: 'supply − return air across the indoor coil, heating',
        outside: { status: 'warn', severity: 'minor', advice: 'a rule of thumb, not a charging method: check airflow, filter, outdoor coil frosting and charge' },
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
function refrigerantCheck(side: RefrigerantSide, params: BandCheckParams, refrigerant: string, c: BandContext, extra: SideOptions = {}): CheckResult {
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
    const sat = saturationTempC(r.id, pressure.value, side.kind, extra.atmosphere?.kpa)
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
      note: [extra.target, `${r.id} saturation data: ${r.source}`, extra.atmosphere ? `gauge zero: ${extra.atmosphere.basis}` : undefined].filter(Boolean).join('; '),
      outside: { status: 'fail', severity: 'major' },
    },
    c,
  )
}

export interface SideOptions {
  /** The site's gauge zero (rules/site-atmosphere.ts); absent: ISA sea level. */
  atmosphere?: SiteAtmosphere | undefined
  /** How a target band was derived, for the message (fixed-orifice target superheat). */
  target?: string | undefined
}

export function superheatCheck(params: BandCheckParams, refrigerant: string, c: BandContext, extra: SideOptions = {}): CheckResult {
  return refrigerantCheck(SUPERHEAT, params, refrigerant, c, extra)
}

export function subcoolingCheck(params: BandCheckParams, refrigerant: string, c: BandContext, extra: SideOptions = {}): CheckResult {
  return refrigerantCheck(SUBCOOLING, params, refrigerant, c, extra)
}

/**
 * A check that cannot be made on this unit or in this mode: shown, so a reviewer sees why,
 * and not pending, so the step is not kept incomplete for ever by what nobody can measure.
 */
export function notMeasurable(id: 'superheat' | 'subcooling', why: string): CheckResult {
  return { id, status: 'pass', unit: 'K', message: `not measurable: ${why} (not applicable; not counted against the run)` }
}
