/**
 * Supply voltage outside the pack's band around the rated voltage for longer than the
 * pack's time (S4: supply 90-110 % of rated). Rated: the unit's declared voltage, else the
 * pack's nominal voltage for its phases.
 */
import { thresholdFault } from './threshold-fault.js'
import type { FaultsSection } from './fault-pack-schema.js'
import { limitOf, msOf, type FaultEvaluator, type FaultUnit } from './fault-transition.js'
import type { DurationState } from './duration-condition.js'

export function supplyVoltageFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<DurationState> | undefined {
  const p = faults.supplyVoltage
  if (!p) return undefined
  const rated = unit.ratedVoltageV ?? (unit.phases === 3 ? p.ratedThreePhaseV.value : p.ratedSinglePhaseV.value)
  const low = limitOf(rated * p.minRatio.value)
  const high = limitOf(rated * p.maxRatio.value)
  const band = `${low}-${high} V (${limitOf(p.minRatio.value * 100)}-${limitOf(p.maxRatio.value * 100)} % of ${rated} V)`
  return thresholdFault({
    deviceId: unit.deviceId,
    fault: 'supply_voltage',
    severity: p.severity,
    channel: 'voltage_v',
    unit: 'V',
    limitFor: (v) => (v !== null && v > high ? high : low),
    excess: (v) => Math.max(low - v, v - high),
    condition: { forMs: msOf(p.forS), maxGapMs: msOf(faults.maxGapS), clearMs: msOf(faults.autoClearS) },
    clause: 'S4',
    source: `${p.minRatio.source}; ${p.forS.source}`,
    describe: (t) =>
      t.kind === 'clear'
        ? `supply voltage back inside ${band} for ${faults.autoClearS.value} s`
        : `supply voltage ${t.value} V (furthest out ${t.peak} V) outside ${band} for ${p.forS.value} s or more: check the supply before the unit is damaged (S4)`,
  })
}
