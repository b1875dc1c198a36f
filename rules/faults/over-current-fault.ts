/**
 * Current above the unit's nameplate for longer than the pack's time. The nameplate
 * maximum (inverters draw up to it during pull-down, DOMAIN.md test run) is the base when
 * given, else the rated current; the pack's ratio leaves room for meter accuracy.
 */
import { thresholdFault } from './threshold-fault.js'
import type { FaultsSection } from './fault-pack-schema.js'
import { limitOf, msOf, type FaultEvaluator, type FaultUnit } from './fault-transition.js'
import type { DurationState } from './duration-condition.js'

export function overCurrentFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<DurationState> | undefined {
  const p = faults.overCurrent
  if (!p) return undefined
  const base = unit.maxCurrentA ?? unit.ratedCurrentA
  const baseName = unit.maxCurrentA === undefined ? 'rated' : 'nameplate maximum'
  const limit = limitOf(base * p.maxRatioOfRated.value)
  return thresholdFault({
    deviceId: unit.deviceId,
    fault: 'over_current',
    severity: p.severity,
    channel: 'current_a',
    unit: 'A',
    limitFor: () => limit,
    excess: (v) => v - limit,
    condition: { forMs: msOf(p.forS), maxGapMs: msOf(faults.maxGapS), clearMs: msOf(faults.autoClearS) },
    clause: 'faults.overCurrent',
    source: `${p.maxRatioOfRated.source}; ${p.forS.source}`,
    describe: (t) =>
      t.kind === 'clear'
        ? `current back at or below ${limit} A (${p.maxRatioOfRated.value} × ${baseName} ${base} A) for ${faults.autoClearS.value} s`
        : `current ${t.value} A (highest ${t.peak} A) above ${limit} A (${p.maxRatioOfRated.value} × ${baseName} ${base} A) for ${p.forS.value} s or more`,
  })
}
