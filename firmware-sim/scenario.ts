/**
 * What a simulated commissioning run is. A scenario is a pure description: the unit on the
 * job, the devices that report, how long the unit runs, when the technician stops the
 * test-run step, the verdict it should get, and a function that yields every device's
 * messages at device times. buildTimeline (timeline.ts) turns it into the ordered list of
 * publishes and step markers that run.ts plays against a gateway.
 */
import type { ChannelName } from '../gateway/contract/channels.js'
import type { Value } from '../gateway/contract/telemetry.js'
import type { Rng } from './prng.js'

/** What a device is on site; its device id is `${jobId}-${role}`. */
export type DeviceRole = 'unit' | 'clamp' | 'manifold'

/** The gateway's device kinds (POST /api/v1/devices). */
export type DeviceKind = 'meter' | 'unit' | 'bridge'

/** The installed unit, as sent to POST /api/v1/jobs. */
export interface UnitSpec {
  model: string
  invoiceModel: string
  capacityHp: number
  refrigerant: string
  phases: 1 | 3
  ratedCurrentA: number
}

export interface DeviceSpec {
  role: DeviceRole
  kind: DeviceKind
  model: string
  channels: readonly ChannelName[]
  /** Samples per publish; above 1 the device sends arrays, as firmware flushing a buffer does. */
  batch: number
  /** Offset of this device's sampling clock from the timeline start: meters are never in step. */
  phaseMs: number
}

/** One measurement of one device at device time `at`. */
export interface Measurement {
  kind: 'measurement'
  at: number
  deviceRole: DeviceRole
  values: Partial<Record<ChannelName, Value>>
}

/** The kinds of deliberately malformed messages; the gateway must quarantine each one. */
export const GARBAGE_KINDS = [
  'not-json',
  'wrong-shape',
  'unknown-channel',
  'nan-string',
  'absurd-value',
  'future-ts',
  'unknown-unit',
] as const
export type GarbageKind = (typeof GARBAGE_KINDS)[number]

/** A deliberately malformed message, published verbatim at device time `at`. */
export interface Malformed {
  kind: 'malformed'
  at: number
  deviceRole: DeviceRole
  garbage: GarbageKind
  payload: string
}

export type SampleEvent = Measurement | Malformed

export interface SampleContext {
  /** Device time the timeline starts (the unit is switched on; devices start reporting). */
  startTs: number
  /** Device time of the test_run start marker: scenario minutes count from here. */
  runStartTs: number
  rng: Rng
}

export type Verdict = 'pass' | 'fail'

export interface Scenario {
  name: string
  description: string
  unit: UnitSpec
  devices: readonly DeviceSpec[]
  /** Minutes the unit runs (and devices report) after the start marker. */
  runMinutes: number
  /** Minute after the start marker at which the technician stops the test_run step. */
  stopAtMinutes: number
  /** The verdict status the gateway should give the job. */
  expected: Verdict
  /** Pure: every device's messages, at device times within the scenario's duration. */
  samples(ctx: SampleContext): SampleEvent[]
}

/** Every device samples every 5 s of device time. */
export const SAMPLE_PERIOD_MS = 5_000

/**
 * The unit is switched on and devices report for 2 minutes before the technician starts
 * the test_run step: the compressor's soft start and the pressures settling happen here,
 * and S2 (§5 ch.7 art.4) wants the unit powered and running before anything else anyway.
 */
export const PRE_ROLL_MS = 2 * 60_000

export const MINUTE_MS = 60_000

/** Device-time length of the whole timeline: every event lies in [startTs, startTs + duration]. */
export function scenarioDurationMs(s: Scenario): number {
  return PRE_ROLL_MS + Math.max(s.runMinutes, s.stopAtMinutes) * MINUTE_MS
}

/** An event of the timeline: a device publish or a step marker sent over HTTP. */
export type TimelineEvent = PublishEvent | MarkerEvent

export interface PublishEvent {
  at: number
  kind: 'publish'
  deviceRole: DeviceRole
  /** Exactly the bytes published to v1/devices/me/telemetry. */
  payload: string
  /** Set on the intentionally malformed messages. */
  garbage?: GarbageKind
}

export interface MarkerEvent {
  at: number
  kind: 'marker'
  step: 'test_run'
  action: 'start' | 'stop'
}
