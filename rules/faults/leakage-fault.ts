/**
 * Leakage (touch) current of an in-service unit above the pack's limit: critical (S14,
 * seed §5 ch.5 art.9: if the casing leaks, stop at once). With forS 0 the first reading
 * above the limit raises.
 */
import { thresholdFault } from './threshold-fault.js'
import type { FaultsSection } from './fault-pack-schema.js'
import { msOf, type FaultEvaluator, type FaultUnit } from './fault-transition.js'
import type { DurationState } from './duration-condition.js'

export function leakageFault(faults: FaultsSection, unit: FaultUnit): FaultEvaluator<DurationState> | undefined {
  const p = faults.leakage
  if (!p) return undefined
  const limit = p.maxMa.value
  return thresholdFault({
    deviceId: unit.deviceId,
    fault: 'leakage',
    severity: 'critical',
    channel: 'leakage_ma',
    unit: 'mA',
    limitFor: () => limit,
    excess: (v) => v - limit,
    condition: { forMs: msOf(p.forS), maxGapMs: msOf(faults.maxGapS), clearMs: msOf(faults.autoClearS) },
    clause: 'S14',
    source: p.maxMa.source,
    describe: (t) =>
      t.kind === 'clear'
        ? `leakage current back at or below ${limit} mA for ${faults.autoClearS.value} s (last ${t.value} mA)`
        : `leakage current ${t.value} mA (highest ${t.peak} mA) above ${limit} mA: switch the unit off and find the fault before it runs again (S14, seed §5 ch.5 art.9)`,
  })
}
