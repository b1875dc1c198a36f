/**
 * What a simulated unit in service is (issue 11): after commissioning, the unit keeps
 * reporting, and things go wrong. An in-service scenario is a pure description, like a
 * commissioning one (scenario.ts): the unit, how it entered service (its job closed, or
 * registered in service directly), whether it reports itself or through a bridge, the alerts
 * the gateway should raise (fault, severity, how many, the state they end in), and a script
 * of device-time events: telemetry, error-code attributes, the connection dropping without
 * DISCONNECT, a bridge's v1/gateway/disconnect and connect, and quiet time in which only the
 * clock moves. Days pass in device time: a run of 8 days takes seconds.
 */
import type { ChannelName } from '../contract/channels.js'
import type { Value } from '../contract/telemetry.js'
import type { FaultSeverity } from '../rules/faults/fault-pack-schema.js'
import type { Rng } from './prng.js'
import type { UnitSpec } from './scenario.js'

export type { FaultSeverity }

/** ThingsBoard gateway API: a bridge tells the devices behind it came and went (https://thingsboard.io/docs/reference/gateway-mqtt-api/). */
export const BRIDGE_CONNECT_TOPIC = 'v1/gateway/connect'
export const BRIDGE_DISCONNECT_TOPIC = 'v1/gateway/disconnect'

export type InServiceEvent =
  /** The unit's readings at device time `at`, published on its own or its bridge's telemetry topic. */
  | { kind: 'telemetry'; at: number; values: Partial<Record<ChannelName, Value>> }
  /** The codes the unit shows now (attribute errorCodes; [] = none), on v1/devices/me/attributes or the bridge's. */
  | { kind: 'error-codes'; at: number; codes: readonly string[] }
  /** The unit's TCP connection dies without DISCONNECT (power cut, router reboot): the broker sees a last will. */
  | { kind: 'drop'; at: number }
  /** The unit connects again (after a drop). */
  | { kind: 'reconnect'; at: number }
  /** Its bridge says the unit went away ({"device": id} on v1/gateway/disconnect). */
  | { kind: 'bridge-disconnect'; at: number }
  /** Its bridge says the unit is back ({"device": id} on v1/gateway/connect). */
  | { kind: 'bridge-connect'; at: number }
  /** Nothing is sent: only time passes (the gateway clock follows in the tests). */
  | { kind: 'quiet'; at: number }

/** One kind of alert the gateway should raise for the unit. */
export interface ExpectedAlert {
  /** The fault type, e.g. 'leakage', 'offline', 'high_pressure_protection'. */
  fault: string
  severity: FaultSeverity
  /** How many separate alerts of this fault (one per fault while it lasts; a new one after a clear). */
  count: number
  /** The state of the latest one when the scenario ends: open (active or acknowledged) or cleared. */
  finalState: 'open' | 'cleared'
  /**
   * When the (first) alert should be raised, device ms after the scenario's start, with the
   * tolerance of one reporting period: [from, to].
   */
  raisedWithinMs?: readonly [from: number, to: number]
}

export interface InServiceExpectation {
  alerts: readonly ExpectedAlert[]
  /** No alert of any other fault may be raised for the unit. */
  exclusive: boolean
}

export interface InServiceScript {
  /** Readings the unit sends while its commissioning job is still open (before `since`): they must raise nothing. */
  commissioning: InServiceEvent[]
  /** In device-time order, within [startTs, startTs + durationMs]. */
  events: InServiceEvent[]
}

export interface InServiceContext {
  /** Device time the unit enters service (job closed at, or registered since). */
  startTs: number
  rng: Rng
}

export interface InServiceScenario {
  name: string
  description: string
  /** The pack the unit is judged by; default split-ac. */
  rulePack?: string
  unit: UnitSpec
  /** job-close: a commissioning job is created, the unit attached, the job closed at startTs; register: POST /devices/:id/in-service. */
  entry: 'job-close' | 'register'
  /** The unit reports through a bridge (v1/gateway/*) instead of its own connection. */
  via: 'direct' | 'bridge'
  expected: InServiceExpectation
  durationMs: number
  script(ctx: InServiceContext): InServiceScript
}

export const SECOND_MS = 1_000
export const MINUTE_MS = 60_000
export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000
