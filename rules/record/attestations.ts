/**
 * What only the installer can attest (no meter reads it): S1 no water leak and condensate
 * not bothering others (ch.7 art.21; addendum art.9, 11), S6 wall hole slope and seal
 * (ch.7 art.5), S18 harness for work above 2.5 m (ch.5 art.1), and the indoor and outdoor
 * nameplates read separately (S3). Pure.
 */
import type { CheckResult, Severity } from '../result.js'
import { undeclared, type Context } from './record-context.js'

function yesNo(c: Context, id: string, clause: string, items: { value: boolean | undefined; what: string; no: string }[], severity: Severity, ok: string): CheckResult {
  const base = { id, clause }
  const missing = items.filter((i) => i.value === undefined)
  const broken = items.filter((i) => i.value === false)
  if (broken.length > 0) return { ...base, status: 'fail', severity, message: broken.map((i) => i.no).join('; ') }
  if (missing.length > 0) return undeclared(c, base, missing.map((i) => i.what).join(' and '), severity)
  return { ...base, status: 'pass', message: ok }
}

export function waterAndCondensate(c: Context): CheckResult {
  return yesNo(
    c,
    'no_water_leak',
    'S1',
    [
      { value: c.r.noWaterLeak, what: 'no water leak after the test run', no: 'water leaks from the unit after the test run: fix it before handing over (seed §5 ch.7 art.21)' },
      { value: c.r.condensateDrainOk, what: 'condensate drain not bothering others', no: 'the condensate drains where it bothers others (seed §5 ch.7 art.21; addendum art.9)' },
    ],
    'major',
    'no water leak after the test run; the condensate drains without bothering others (attested)',
  )
}

export function wallHole(c: Context): CheckResult {
  return yesNo(
    c,
    'wall_hole',
    'S6',
    [
      { value: c.r.wallHoleSlopesOut, what: 'wall hole slope ("inside high, outside low")', no: 'the wall hole does not slope down to the outside: rain runs into the room (seed §5 ch.7 art.5: refuse or re-drill)' },
      { value: c.r.wallHoleSealed, what: 'wall hole seal', no: 'the wall hole is not sealed (seed §5 ch.7 art.5; addendum art.9: rubber putty and a cover plate)' },
    ],
    'major',
    'the wall hole slopes down to the outside and is sealed (attested)',
  )
}

export function harness(c: Context): CheckResult {
  const base = { id: 'harness', clause: 'S18' }
  if (c.r.workAtHeight === undefined) return undeclared(c, base, 'whether work was done above 2.5 m outside the wall', 'major')
  if (!c.r.workAtHeight) return { ...base, status: 'pass', message: 'not applicable: no work above 2.5 m outside the wall (attested)' }
  if (c.r.harnessUsed === undefined) return undeclared(c, base, 'safety harness for the work above 2.5 m', 'major')
  if (!c.r.harnessUsed) return { ...base, status: 'fail', severity: 'major', message: 'work above 2.5 m outside the wall without a safety harness (seed §5 ch.5 art.1; ch.6 art.8 penalty)' }
  return { ...base, status: 'pass', message: 'safety harness used for the work above 2.5 m (attested)' }
}

const normalModel = (m: string) => m.normalize('NFKC').replace(/\s+/g, '').toUpperCase()

/** S3 for split sets: the outdoor unit has its own plate; its model must be the job's outdoor model. */
export function outdoorNameplate(c: Context): CheckResult | undefined {
  const expected = c.unit.outdoorModel
  if (expected === undefined) return undefined
  const base = { id: 'outdoor_nameplate', clause: 'S3' }
  const plate = c.r.outdoorNameplateModel
  if (plate === undefined) return undeclared(c, base, "outdoor unit nameplate model (read from the outdoor unit's own plate)", 'major')
  if (normalModel(plate) === normalModel(expected)) return { ...base, status: 'pass', message: `outdoor nameplate ${plate} is the job's outdoor unit` }
  return { ...base, status: 'fail', severity: 'major', message: `outdoor nameplate ${plate} is not the job's outdoor unit ${expected}: a mismatched set (seed §5 ch.7 art.1, art.23)` }
}
