/**
 * In-service scenarios (issue 11): a commissioned 1.5 HP R32 split keeps reporting, and a
 * fault develops. Each states the alerts the seed pack's `faults:` section should raise
 * (docs/alerts.md): leakage current above 3.5 mA at once (critical), offline on a dropped
 * connection or a bridge's disconnect (major), Gree error codes (E1 major, E6 minor), a
 * refrigerant-loss trend over days (warning), more than 6 compressor starts an hour (minor),
 * and current above 110 % of the nameplate for 10 minutes (major). test/e2e/alerts-*.test.ts
 * plays every one through MQTT.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Value } from '../../contract/telemetry.js'
import { SPLIT_1_5HP_R32 } from '../devices.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, type InServiceEvent, type InServiceScenario } from '../in-service-scenario.js'
import { noise, quantize, type Rng } from '../prng.js'
import { saturationPressureMpag } from '../refrigerant.js'

type Values = Partial<Record<ChannelName, Value>>

/** The unit reports every 30 s while it runs: its own thermistors, its inverter board's current and supply voltage, the leakage monitor. */
export const REPORT_MS = 30 * SECOND_MS

/** A healthy cooling unit: 5.2 A of 7.5 A rated, 228 V, 0.6 mA to earth, low side at 5.5 °C saturation (R32). */
function healthy(rng: Rng, over: Values = {}): Values {
  return {
    current_a: quantize(5.2 + noise(rng, 0.2), 0.01),
    voltage_v: quantize(228 + noise(rng, 2), 0.1),
    leakage_ma: quantize(0.6 + noise(rng, 0.05), 0.01),
    pressure_low_kpag: quantize(saturationPressureMpag('R32', 5.5) * 1000 + noise(rng, 3), 1),
    temp_outdoor_c: quantize(31 + noise(rng, 0.3), 0.1),
    temp_return_air_c: quantize(26 + noise(rng, 0.2), 0.1),
    temp_supply_air_c: quantize(13 + noise(rng, 0.2), 0.1),
    ...over,
  }
}

/** Telemetry every `stepMs` in [from, to], values from `at` (device time) to readings. */
function reports(from: number, to: number, stepMs: number, values: (at: number) => Values): InServiceEvent[] {
  const out: InServiceEvent[] = []
  for (let at = from; at <= to; at += stepMs) out.push({ kind: 'telemetry', at, values: values(at) })
  return out
}

const byTime = (events: InServiceEvent[]): InServiceEvent[] => events.sort((a, b) => a.at - b.at)

const LEAK_FROM_MA = 0.6
const LEAK_TO_MA = 5.4
const LEAK_RAMP_MIN = 30
/** Minute at which the ramp passes the pack's 3.5 mA: 30 × (3.5 − 0.6) / (5.4 − 0.6) = 18.1. */
const LEAK_CROSS_MIN = (LEAK_RAMP_MIN * (3.5 - LEAK_FROM_MA)) / (LEAK_TO_MA - LEAK_FROM_MA)

export const leakageRising: InServiceScenario = {
  name: 'leakage-rising',
  description:
    'Damp gets into the outdoor unit: the casing leakage current climbs from 0.6 to 5.4 mA over 30 minutes and stays; ' +
    'one alert, critical, from the first reading above 3.5 mA (~minute 18), updated by every reading after it. A 6 mA ' +
    'reading during commissioning (before the job closed) raises nothing.',
  unit: SPLIT_1_5HP_R32,
  entry: 'job-close',
  via: 'direct',
  expected: {
    alerts: [{ fault: 'leakage', severity: 'critical', count: 1, finalState: 'open', raisedWithinMs: [LEAK_CROSS_MIN * MINUTE_MS, LEAK_CROSS_MIN * MINUTE_MS + REPORT_MS] }],
    exclusive: true,
  },
  durationMs: 45 * MINUTE_MS,
  script: ({ startTs, rng }) => ({
    commissioning: [{ kind: 'telemetry', at: startTs - 10 * MINUTE_MS, values: healthy(rng, { leakage_ma: 6 }) }],
    events: reports(startTs, startTs + 45 * MINUTE_MS, REPORT_MS, (at) => {
      const minute = (at - startTs) / MINUTE_MS
      const leak = LEAK_FROM_MA + (LEAK_TO_MA - LEAK_FROM_MA) * Math.min(1, minute / LEAK_RAMP_MIN)
      return healthy(rng, { leakage_ma: quantize(leak, 0.01) })
    }),
  }),
}

export const unitDrops: InServiceScenario = {
  name: 'unit-drops',
  description:
    "The site's router reboots: after 10 minutes of normal reports the unit's TCP connection dies without DISCONNECT " +
    '(last will); it reconnects at minute 20 and reports again. One offline alert (major), raised at the drop, cleared by the first reading after it.',
  unit: SPLIT_1_5HP_R32,
  entry: 'register',
  via: 'direct',
  expected: { alerts: [{ fault: 'offline', severity: 'major', count: 1, finalState: 'cleared', raisedWithinMs: [10 * MINUTE_MS, 10 * MINUTE_MS + SECOND_MS] }], exclusive: true },
  durationMs: 30 * MINUTE_MS,
  script: ({ startTs, rng }) => ({
    commissioning: [],
    events: byTime([
      ...reports(startTs, startTs + 10 * MINUTE_MS - REPORT_MS, REPORT_MS, () => healthy(rng)),
      { kind: 'drop', at: startTs + 10 * MINUTE_MS },
      { kind: 'quiet', at: startTs + 15 * MINUTE_MS },
      { kind: 'reconnect', at: startTs + 20 * MINUTE_MS },
      ...reports(startTs + 20 * MINUTE_MS + SECOND_MS, startTs + 30 * MINUTE_MS, REPORT_MS, () => healthy(rng)),
    ]),
  }),
}

export const bridgeUnitGone: InServiceScenario = {
  name: 'bridge-unit-gone',
  description:
    "A unit behind a Modbus-to-MQTT bridge: the bridge forwards its readings (v1/gateway/telemetry), then reports it gone " +
    '(v1/gateway/disconnect) at minute 10 and back (v1/gateway/connect) at minute 20, readings following. One offline alert (major), cleared when data returns.',
  unit: SPLIT_1_5HP_R32,
  entry: 'register',
  via: 'bridge',
  expected: { alerts: [{ fault: 'offline', severity: 'major', count: 1, finalState: 'cleared', raisedWithinMs: [10 * MINUTE_MS, 10 * MINUTE_MS + SECOND_MS] }], exclusive: true },
  durationMs: 30 * MINUTE_MS,
  script: ({ startTs, rng }) => ({
    commissioning: [],
    events: byTime([
      ...reports(startTs, startTs + 10 * MINUTE_MS - REPORT_MS, REPORT_MS, () => healthy(rng)),
      { kind: 'bridge-disconnect', at: startTs + 10 * MINUTE_MS },
      { kind: 'quiet', at: startTs + 15 * MINUTE_MS },
      { kind: 'bridge-connect', at: startTs + 20 * MINUTE_MS },
      ...reports(startTs + 20 * MINUTE_MS + SECOND_MS, startTs + 30 * MINUTE_MS, REPORT_MS, () => healthy(rng)),
    ]),
  }),
}

/** Error-code reports of the storm: one every 100 ms for 5 minutes. */
export const STORM_MESSAGES = 3000
const STORM_STEP_MS = 100
const STORM_FROM = 2 * MINUTE_MS

export const errorCodeStorm: InServiceScenario = {
  name: 'error-code-storm',
  description:
    `A faulty controller board repeats its codes ${STORM_MESSAGES} times in 5 minutes (10 attribute messages a second): E1 (high-pressure ` +
    'protection) throughout, E6 (communication error) in the middle minute, then none. One alert per fault: high_pressure_protection ' +
    "(major) and communication_error (minor), both cleared once the code has not been shown for the pack's 30 minutes.",
  unit: SPLIT_1_5HP_R32,
  entry: 'job-close',
  via: 'direct',
  expected: {
    alerts: [
      { fault: 'high_pressure_protection', severity: 'major', count: 1, finalState: 'cleared', raisedWithinMs: [STORM_FROM, STORM_FROM + SECOND_MS] },
      { fault: 'communication_error', severity: 'minor', count: 1, finalState: 'cleared' },
    ],
    exclusive: true,
  },
  durationMs: 45 * MINUTE_MS,
  script: ({ startTs, rng }) => {
    const storm: InServiceEvent[] = []
    for (let i = 0; i < STORM_MESSAGES; i++) {
      const e6 = i >= 1200 && i < 1800
      storm.push({ kind: 'error-codes', at: startTs + STORM_FROM + i * STORM_STEP_MS, codes: e6 ? ['E1', 'E6'] : ['E1'] })
    }
    return {
      commissioning: [],
      events: byTime([
        // The unit keeps sending telemetry once a minute: the storm is its codes, not silence.
        ...reports(startTs, startTs + 45 * MINUTE_MS, MINUTE_MS, () => healthy(rng)),
        ...storm,
        { kind: 'error-codes', at: startTs + STORM_FROM + STORM_MESSAGES * STORM_STEP_MS, codes: [] },
      ]),
    }
  },
}

/** Days of the refrigerant-loss run, and the fall of the suction saturation temperature per day. */
export const LOSS_DAYS = 8
export const LOSS_K_PER_DAY = 0.5
const LOSS_SAT_START_C = 6

export const refrigerantLoss: InServiceScenario = {
  name: 'refrigerant-loss',
  description:
    `A flare seeps: every afternoon for ${LOSS_DAYS} days the unit cools 2 hours at ~31 °C outdoor (the same 30-32 °C bin), and its suction ` +
    `saturation temperature is ${LOSS_K_PER_DAY} K lower each day (6.0 → 2.5 °C, R32 ~0.88 → 0.78 MPa(g)); standby reports every 10 minutes ` +
    'between. One refrigerant_loss warning, raised on the first reading of the (UTC) day after 5 days with runs (slope −0.5 K/day ≤ −0.3 K/day), still open at the end.',
  unit: SPLIT_1_5HP_R32,
  entry: 'job-close',
  via: 'direct',
  expected: { alerts: [{ fault: 'refrigerant_loss', severity: 'warning', count: 1, finalState: 'open' }], exclusive: true },
  durationMs: LOSS_DAYS * DAY_MS,
  script: ({ startTs, rng }) => {
    const events: InServiceEvent[] = []
    for (let day = 0; day < LOSS_DAYS; day++) {
      const dayTs = startTs + day * DAY_MS
      const runFrom = dayTs + 4 * HOUR_MS
      const runTo = runFrom + 2 * HOUR_MS
      const satC = LOSS_SAT_START_C - LOSS_K_PER_DAY * day
      // Standby (compressor off, 0.2 A) every 10 minutes: shorter than the pack's 15-minute silence.
      for (let at = dayTs; at < dayTs + DAY_MS; at += 10 * MINUTE_MS) {
        if (at >= runFrom && at <= runTo) continue
        events.push({ kind: 'telemetry', at, values: healthy(rng, { current_a: quantize(0.2 + noise(rng, 0.02), 0.01), temp_outdoor_c: quantize(24 + noise(rng, 1), 0.1) }) })
      }
      for (let at = runFrom; at <= runTo; at += MINUTE_MS) {
        const kpa = saturationPressureMpag('R32', satC + noise(rng, 0.1)) * 1000
        events.push({ kind: 'telemetry', at, values: healthy(rng, { pressure_low_kpag: quantize(kpa, 1) }) })
      }
    }
    return { commissioning: [], events: byTime(events) }
  },
}

const CYCLE_ON_MS = 4 * MINUTE_MS
const CYCLE_MS = 8 * MINUTE_MS
const CYCLING_MS = 2 * HOUR_MS

export const shortCycling: InServiceScenario = {
  name: 'short-cycling',
  description:
    'An oversized unit on a thermostat in the supply air: for 2 hours the compressor runs 4 minutes, stops 4 (7.5 starts an hour), then runs ' +
    'steadily. The first reading is no start (what came before is unknown); starts at minutes 8, 16, … One short_cycling alert (minor) at the 7th start within an hour (minute 56), cleared 10 minutes after the last start (minute 120).',
  unit: SPLIT_1_5HP_R32,
  entry: 'register',
  via: 'direct',
  expected: { alerts: [{ fault: 'short_cycling', severity: 'minor', count: 1, finalState: 'cleared', raisedWithinMs: [7 * CYCLE_MS, 7 * CYCLE_MS + REPORT_MS] }], exclusive: true },
  durationMs: CYCLING_MS + 30 * MINUTE_MS,
  script: ({ startTs, rng }) => ({
    commissioning: [],
    events: reports(startTs, startTs + CYCLING_MS + 30 * MINUTE_MS, REPORT_MS, (at) => {
      const t = at - startTs
      const running = t >= CYCLING_MS || t % CYCLE_MS < CYCLE_ON_MS
      return healthy(rng, running ? {} : { current_a: quantize(0.3 + noise(rng, 0.02), 0.01) })
    }),
  }),
}

/** The over-current run: healthy for 5 minutes, then 9.5 A (limit 1.1 × 7.5 = 8.25 A) for 20. */
export const OVER_CURRENT_FROM_MS = 5 * MINUTE_MS
export const overCurrentSustained: InServiceScenario = {
  name: 'over-current-sustained',
  description:
    'A seized fan motor: from minute 5 the unit draws 9.5 A, above 110 % of its 7.5 A nameplate (8.25 A), for 20 minutes. One over_current ' +
    'alert (major) once it has lasted the pack\u2019s 10 minutes (minute 15), still open at the end.',
  unit: SPLIT_1_5HP_R32,
  entry: 'job-close',
  via: 'direct',
  expected: {
    alerts: [{ fault: 'over_current', severity: 'major', count: 1, finalState: 'open', raisedWithinMs: [OVER_CURRENT_FROM_MS + 10 * MINUTE_MS, OVER_CURRENT_FROM_MS + 10 * MINUTE_MS + REPORT_MS] }],
    exclusive: true,
  },
  durationMs: 25 * MINUTE_MS,
  script: ({ startTs, rng }) => ({
    commissioning: [],
    events: reports(startTs, startTs + 25 * MINUTE_MS, REPORT_MS, (at) =>
      healthy(rng, at - startTs >= OVER_CURRENT_FROM_MS ? { current_a: quantize(9.5 + noise(rng, 0.1), 0.01) } : {}),
    ),
  }),
}

export const IN_SERVICE_SCENARIOS: ReadonlyMap<string, InServiceScenario> = new Map(
  [leakageRising, unitDrops, bridgeUnitGone, errorCodeStorm, refrigerantLoss, shortCycling, overCurrentSustained].map((s) => [s.name, s]),
)
