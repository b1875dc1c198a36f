/**
 * The fault rules for in-service units (issue 11), pure and clock-free: the pack's
 * `faults:` schema, the condition state machines, one evaluator per fault type, the
 * deadlines and the silence index. `faultEvaluators` builds every evaluator a pack's
 * section gives for one unit; a fault the pack leaves out is undefined (not watched).
 */
import { errorCodeFault } from './error-code-fault.js'
import type { FaultsSection } from './fault-pack-schema.js'
import type { FaultUnit } from './fault-transition.js'
import { leakageFault } from './leakage-fault.js'
import { offlineFault } from './offline-fault.js'
import { overCurrentFault } from './over-current-fault.js'
import { refrigerantLossFault } from './refrigerant-loss-fault.js'
import { shortCyclingFault } from './short-cycling-fault.js'
import { supplyVoltageFault } from './supply-voltage-fault.js'

export function faultEvaluators(faults: FaultsSection, unit: FaultUnit) {
  return {
    /** Fed with the unit's readings. */
    leakage: leakageFault(faults, unit),
    overCurrent: overCurrentFault(faults, unit),
    supplyVoltage: supplyVoltageFault(faults, unit),
    shortCycling: shortCyclingFault(faults, unit),
    refrigerantLoss: refrigerantLossFault(faults, unit),
    /** Fed with the unit's error-code reports. */
    errorCodes: errorCodeFault(faults, unit),
    /** Fed with link events (dataSignal for every reading, last will, bridge disconnect). */
    offline: offlineFault(faults, unit),
  }
}

export * from './fault-pack-schema.js'
export * from './fault-transition.js'
export * from './condition-time.js'
export * from './duration-condition.js'
export * from './repetition-condition.js'
export * from './deadlines.js'
export { errorCodeFault, type ErrorCodeReport, type ErrorCodeState } from './error-code-fault.js'
export { leakageFault } from './leakage-fault.js'
export { overCurrentFault } from './over-current-fault.js'
export { supplyVoltageFault } from './supply-voltage-fault.js'
export { shortCyclingFault, type ShortCyclingState } from './short-cycling-fault.js'
export { refrigerantLossFault, refrigerantTrendJudgement, type RefrigerantLossState } from './refrigerant-loss-fault.js'
export { judgeTrend, leastSquaresSlope, type TrendJudgement } from './refrigerant-trend.js'
export { afterGatewayRestart, dataSignal, offlineFault, silenceDueAt, type LinkEvent, type LinkSignal, type OfflineState } from './offline-fault.js'
export { SilenceIndex } from './silence-index.js'
