/**
 * A complete `faults:` section as a pack would carry it (YAML), with real sources, used by
 * the fault tests. The lead can copy it into rules/packs/*.yaml when the schema is merged.
 */
import { parse } from 'yaml'

import { parseFaultsSection, type FaultsSection } from '../../../rules/faults/fault-pack-schema.js'

export const FAULTS_YAML = `
leakage:
  maxMa: { value: 3.5, source: "S14: IEC 60335-1 cl. 13.2 / 16.2, stationary class I motor-operated appliances 3.5 mA (same limit as the electrical step)" }
  forS: { value: 0, source: "S14: seed §5 ch.5 art.9, stop at once if the casing leaks: the first reading above the limit raises" }
overCurrent:
  maxRatioOfRated: { value: 1.1, source: "engineering choice: 10 % above the nameplate maximum (rated when no maximum is given) leaves room for clamp-meter accuracy (±2-3 %) and supply variation" }
  forS: { value: 600, source: "engineering choice: inverter pull-down draws above rated for minutes (DOMAIN.md test run); 10 min above the maximum is no longer pull-down" }
  severity: major
supplyVoltage:
  ratedSinglePhaseV: { value: 220, source: "GB/T 156 nominal low voltage in China 220 V single-phase" }
  ratedThreePhaseV: { value: 380, source: "GB/T 156 nominal low voltage in China 380 V three-phase, line to line" }
  minRatio: { value: 0.9, source: "S4: supply 90-110 % of rated (DOMAIN.md; unit nameplate operating range)" }
  maxRatio: { value: 1.1, source: "S4: supply 90-110 % of rated (DOMAIN.md; unit nameplate operating range)" }
  forS: { value: 60, source: "engineering choice: a dip while a compressor starts lasts seconds; a minute out of range is a supply fault" }
  severity: major
errorCodes:
  manual: "GREE U-Match 5 Series unit service manual (GUD35PS-A-T, GUD50PS-A-T), ch.3.4 Troubleshooting"
  codes:
    E1: { fault: high_pressure_protection, severity: major, textKey: fault.gree.e1, source: "GREE U-Match 5 service manual 2.2.3.1 and 3.4.1: 'E1' compressor high pressure protection (high pressure switch open)" }
    E3: { fault: low_pressure_protection, severity: major, textKey: fault.gree.e3, source: "GREE U-Match 5 service manual 2.2.3.2 and 3.4.3: 'E3' compressor low-pressure protection, refrigerant shortage protection" }
    E4: { fault: discharge_temperature_protection, severity: major, textKey: fault.gree.e4, source: "GREE U-Match 5 service manual 3.4.4: 'E4' compressor air discharge high-temperature protection" }
    E6: { fault: communication_error, severity: minor, textKey: fault.gree.e6, source: "GREE U-Match 5 service manual 3.4.5: 'E6' communication error" }
    E9: { fault: water_overflow_protection, severity: minor, textKey: fault.gree.e9, source: "GREE U-Match 5 service manual 3.4.7: 'E9' water overflow protection" }
  clearS: { value: 1800, source: "engineering choice: Gree units retry after a protection stop within minutes (manual 2.2.3.1); 30 min without the code means it did not recur" }
shortCycling:
  runningCurrentMinA: { value: 1, source: "engineering choice: a running compressor draws several amperes; fans and the control board well under 1 A" }
  maxStartsPerHour: { value: 6, source: "engineering choice: Gree and Midea controllers keep a compressor off >= 3 min after a stop; more than 6 starts an hour means cycles under 10 min" }
  severity: minor
refrigerantLoss:
  binK: { value: 2, source: "engineering choice: suction saturation moves about 0.3-0.5 K per K of outdoor temperature; 2 K bins keep that under 1 K within a bin" }
  minDays: { value: 5, source: "engineering choice: a slope from fewer than 5 daily points is dominated by weather and load" }
  windowDays: { value: 30, source: "engineering choice: a slow leak shows within a month; older days describe another charge" }
  maxFallKPerDay: { value: 0.3, source: "engineering choice: day-to-day scatter of a daily mean at equal outdoor temperature is a few tenths of a kelvin; a steady fall faster than 0.3 K/day is 2 K a week" }
  runningCurrentMinA: { value: 1, source: "engineering choice: same running threshold as short-cycling" }
  pairWithinS: { value: 300, source: "engineering choice: outdoor temperature changes little in 5 min" }
offline:
  silenceS: { value: 900, source: "engineering choice: units report every minute; 15 min of silence is not a dropped packet" }
  severity: major
autoClearS: { value: 600, source: "engineering choice: the condition must stay gone 10 min (ThingsBoard #10979: clear when it has not recurred)" }
maxGapS: { value: 120, source: "engineering choice: units report every minute; two missed reports break 'above X for 10 min'" }
deadlines:
  bySeverity:
    critical:
      acknowledgeS: { value: 1200, source: "T2: seed §5 ch.3 art.2, contact the customer within 20 min of a repair task" }
      resolveS: { value: 86400, source: "T2: seed §5 ch.3 art.7, repair done within 24 h" }
    major:
      acknowledgeS: { value: 1200, source: "T2: seed §5 ch.3 art.2, contact within 20 min" }
      resolveS: { value: 86400, source: "T2: seed §5 ch.3 art.7, done within 24 h" }
    minor:
      acknowledgeS: { value: 1800, source: "T5: seed §5 ch.12, service information dispatched within 30 min" }
      resolveS: { value: 86400, source: "T5: seed §5 ch.12, closed within 24 h" }
    warning:
      acknowledgeS: { value: 1800, source: "T5: seed §5 ch.12, service information dispatched within 30 min" }
      resolveS: { value: 86400, source: "T5: seed §5 ch.12, closed within 24 h" }
  installationLeakOnSiteS: { value: 86400, source: "T3: seed addendum art.11, installer on site within 24 h for a leak the installation caused" }
  onSiteByDistance:
    - { maxKm: { value: 300, source: "T6: seed §17 4.1.1.3, <= 300 km" }, withinS: { value: 86400, source: "T6: seed §17 4.1.1.3, 24 h" } }
    - { maxKm: { value: 1000, source: "T6: seed §17 4.1.1.3, <= 1000 km" }, withinS: { value: 172800, source: "T6: seed §17 4.1.1.3, 48 h" } }
    - { withinS: { value: 259200, source: "T6: seed §17 4.1.1.3, beyond 1000 km 72 h" } }
  inspectionEveryS: { value: 2678400, source: "T7: seed §14, monthly inspection of maintained systems; 31 days, the longest month" }
  escalateEveryS: { value: 7200, source: "engineering choice: after a missed deadline the next team is told again every 2 h" }
  maxEscalations: { value: 3, source: "engineering choice: three teams up the chain (team, supervisor, service manager)" }
  installerCallbacks:
    afterInstallS: { value: 2592000, source: "T4: seed addendum art.11, leak call-backs within 30 days of installation" }
    shortWindowS: { value: 2592000, source: "T4: seed addendum art.11, more than 2 within 30 days" }
    maxInShortWindow: { value: 2, source: "T4: seed addendum art.11, more than 2 within 30 days disqualifies" }
    longWindowS: { value: 31536000, source: "T4: seed addendum art.11, 4 within a year" }
    maxInLongWindow: { value: 4, source: "T4: seed addendum art.11, more than 4 within a year (the text: '4 within a year') disqualifies" }
`

export function faultsData(): Record<string, unknown> {
  return parse(FAULTS_YAML) as Record<string, unknown>
}

export function faults(): FaultsSection {
  return parseFaultsSection(faultsData(), 'fixture.yaml')
}

import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import type { FaultEvaluator, FaultTransition, FaultUnit } from '../../../rules/faults/fault-transition.js'

export const UNIT: FaultUnit = { deviceId: 'unit-1', ratedCurrentA: 10, phases: 1, refrigerant: 'R32' }

export function reading(channel: ChannelName, ts: number, value: number, deviceId = 'unit-1'): Reading {
  return { deviceId, channel, ts, value, receivedAt: ts }
}

/** Steps every input (now = its ts unless given) and collects the transitions. */
export function feed<S, I>(ev: FaultEvaluator<S, I>, inputs: readonly { input: I; now: number }[], state: S = ev.initial()) {
  const transitions: FaultTransition[] = []
  let s = state
  for (const { input, now } of inputs) {
    const r = ev.step(s, input, now)
    s = r.state
    for (const t of r.transitions) transitions.push(t)
  }
  return { state: s, transitions }
}

/** Readings of one channel every `stepS` seconds from `fromS` to `toS` (inclusive), value v. */
export function series(channel: ChannelName, fromS: number, toS: number, stepS: number, v: number): { input: Reading; now: number }[] {
  const out: { input: Reading; now: number }[] = []
  for (let s = fromS; s <= toS; s += stepS) out.push({ input: reading(channel, s * 1000, v), now: s * 1000 })
  return out
}

/** Round trip through JSON and the evaluator's own parser: what a restart does. */
export function restart<S, I>(ev: FaultEvaluator<S, I>, s: S): S {
  return ev.parseState(JSON.parse(JSON.stringify(s)))
}

export const kinds = (ts: readonly FaultTransition[]) => ts.map((t) => `${t.kind}@${t.at / 1000}`)
