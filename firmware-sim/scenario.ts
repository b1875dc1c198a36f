/**
 * What a simulated commissioning is. A scenario is a pure description: the unit on the job,
 * the devices that report, the verdict it should get, and a script that says, for a start
 * time and a noise source, every step's start/stop markers (with the installer's facts),
 * every device's messages, the attributes the meters declare about themselves and the
 * installation record the installer fills in, all at device times. buildTimeline
 * (timeline.ts) turns the script into the ordered list of events run.ts plays against a
 * gateway.
 */
import type { ChannelName } from '../contract/channels.js'
import type { Attributes, Value } from '../contract/telemetry.js'
import type { DeviceKind } from '../contract/device-identity.js'
import type { InstalledUnit, StepId } from '../contract/job.js'
import type { InstallationRecord } from '../rules/record/record-schema.js'
import type { StepStatus, VerdictStatus } from '../contract/verdict.js'
import type { Rng } from './prng.js'

export type { StepId } from '../contract/job.js'
export type { StepStatus, VerdictStatus } from '../contract/verdict.js'

/** What a device is on site; its device id is `${jobId}-${role}`. */
export type DeviceRole = 'unit' | 'clamp' | 'manifold' | 'probe' | 'tester'

/** The gateway's device kinds (POST /api/v1/devices). */
export type { DeviceKind }

/** The installed unit, as sent to POST /api/v1/jobs. */
export type UnitSpec = InstalledUnit

export interface DeviceSpec {
  role: DeviceRole
  kind: DeviceKind
  model: string
  /** Every channel the device publishes in the scenario. */
  channels: readonly ChannelName[]
  /** Samples per publish; above 1 the device sends arrays, as firmware flushing a buffer does. */
  batch: number
  /** Offset of this device's sampling clock from the timeline start: meters are never in step. */
  phaseMs: number
  /** What its channels measure on the job, declared at attachment (e.g. { current_a: 'compressor' }). */
  roles?: Partial<Record<ChannelName, string>>
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

/** Facts the installer declares with a step's start marker (the API takes strings, numbers, booleans). */
export type StepFacts = Readonly<Record<string, string | number | boolean>>

/** One step as the technician marks it: start (with facts) and stop, device times. */
export interface StepWindowPlan {
  step: StepId
  start: number
  stop: number
  facts?: StepFacts
  /** Events inside the step (the evacuation pump isolated), device times. */
  events?: readonly StepEventPlan[]
}

/** An event inside a step the installer marks over HTTP: POST /jobs/:id/steps/:step/:action. */
export interface StepEventPlan {
  action: 'isolate'
  at: number
}

/** A device's declaration about itself on v1/devices/me/attributes (model, serial, calibration due date). */
export interface AttributesDeclaration {
  at: number
  deviceRole: DeviceRole
  attributes: Attributes
}

/** Fields of the installation record the installer declares at `at` (PATCH /jobs/:id/record). */
export interface RecordDeclaration {
  at: number
  fields: InstallationRecord
}

/** Everything that happens in a scenario, at device times. */
export interface ScenarioScript {
  /** In procedure order; windows do not overlap. */
  steps: StepWindowPlan[]
  samples: SampleEvent[]
  attributes: AttributesDeclaration[]
  record: RecordDeclaration[]
  /** When the installer confirms the work order (S15: POST /jobs/:id/work-order/confirm); absent: never. */
  confirmAt?: number
}

export interface ScriptContext {
  /** Device time the timeline starts: the technician switches the first meter on. */
  startTs: number
  rng: Rng
}

/** A verdict step: one of the measured steps, or the installation record. */
export type VerdictStepId = StepId | 'installation_record'

/**
 * The verdict the gateway should reach: the overall status, the status of each step named
 * (steps not named are not compared), and checks that must fail, as "step.check".
 */
export interface Expectation {
  verdict: VerdictStatus
  steps: Partial<Record<VerdictStepId, StepStatus>>
  failedChecks?: readonly `${VerdictStepId}.${string}`[]
}

export interface Scenario {
  name: string
  description: string
  /** The rule pack the job is created with; default split-ac. */
  rulePack?: string
  unit: UnitSpec
  devices: readonly DeviceSpec[]
  expected: Expectation
  /** Device-time length of the timeline: every event lies in [startTs, startTs + durationMs]. */
  durationMs: number
  /** Pure: the whole scenario for a start time and a noise source. */
  script(ctx: ScriptContext): ScenarioScript
}

/** Meters sample every 5 s of device time unless a step says otherwise. */
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
  return s.durationMs
}

/** An event of the timeline: an MQTT publish (telemetry or attributes), a step marker or a record declaration over HTTP. */
export type TimelineEvent = PublishEvent | AttributesEvent | MarkerEvent | StepEventEvent | RecordEvent | ConfirmEvent

/** The installer confirms the work order (S15). */
export interface ConfirmEvent {
  at: number
  kind: 'confirm'
}

export interface PublishEvent {
  at: number
  kind: 'publish'
  deviceRole: DeviceRole
  /** Exactly the bytes published to v1/devices/me/telemetry. */
  payload: string
  /** Set on the intentionally malformed messages. */
  garbage?: GarbageKind
}

export interface AttributesEvent {
  at: number
  kind: 'attributes'
  deviceRole: DeviceRole
  /** Exactly the bytes published to v1/devices/me/attributes. */
  payload: string
}

export interface MarkerEvent {
  at: number
  kind: 'marker'
  step: StepId
  action: 'start' | 'stop'
  /** Only on a start marker that declares facts. */
  facts?: StepFacts
}

/** An event inside a step over HTTP (POST /jobs/:id/steps/:step/isolate: the evacuation pump valved off). */
export interface StepEventEvent {
  at: number
  kind: 'step-event'
  step: StepId
  action: StepEventPlan['action']
}

export interface RecordEvent {
  at: number
  kind: 'record'
  fields: InstallationRecord
}
