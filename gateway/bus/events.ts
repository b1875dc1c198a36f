/**
 * Every event on the gateway's in-process bus, by name, with its payload. One place to read
 * what the gateway tells itself: a new capability (alerts, evidence, reports) subscribes to
 * these instead of asking the module that writes to call it.
 *
 * Names are "<thing>.<what happened>", past tense: the write is done when the event is heard.
 */
import type { Reading } from '../../contract/reading.js'
import type { Attributes } from '../../contract/telemetry.js'
import type { Verdict } from '../../contract/verdict.js'
import type { Alert, AuditEntry } from '../alerts/alert-lifecycle.js'

/**
 * Readings committed by the ingest (after the durable append, before the PUBACK). The readings
 * themselves are built only for the devices a listener asks for: the ack path must not make an
 * object per reading nobody wants (issue 8).
 */
export interface ReadingsStored {
  /** Devices that had readings stored (not counting duplicates), in message order, each once. */
  deviceIds: readonly string[]
  /** Readings stored (duplicates excluded; a conflicting re-send counts, stored beside the first). */
  count: number
  /** Device-time range of the readings, ms (NaN, NaN when count is 0). */
  from: number
  to: number
  receivedAt: number
  /** The readings of the devices `wants` accepts, as stored: a conflicting re-send is the first value, flagged. */
  readingsFor(wants: (deviceId: string) => boolean): Reading[]
}

export interface AttributesChanged {
  deviceId: string
  /** The attributes just merged in (not the whole record). */
  changed: Attributes
}

/** What changed in a job; every one of them can change its verdict. */
export type JobChange =
  | 'created'
  | 'attached'
  | 'detached'
  | 'marker'
  | 'record'
  | 'override'
  | 'confirmed'
  | 'step-event'

export interface JobChanged {
  jobId: string
  change: JobChange
  /** attached / detached: which device. */
  deviceId?: string
}

export interface VerdictChanged {
  verdict: Verdict
}

/** An authenticated MQTT connection of the device opened or closed (a device may hold several). */
export interface DeviceConnection {
  deviceId: string
  at: number
}

export interface DeviceDisconnection extends DeviceConnection {
  /** The device said DISCONNECT first [MQTT-3.14]: no last will, not a fault by itself. */
  clean: boolean
}

/** Declared for issue 11 (fault alerts): no module emits it yet. */
export interface DeviceSilent {
  deviceId: string
  /** Last reading's receivedAt, ms. */
  lastSeen: number
  at: number
}

/** A unit entered service (job closed, or registered as in service): its readings from `since` on feed the fault rules. */
export interface UnitInService {
  deviceId: string
  since: number
}

/**
 * An alert changed (raised, re-triggered, acknowledged, assigned, cleared, escalated), told
 * after the change is committed in SQLite; `entry.seq` is its audit sequence (the SSE id).
 * An escalation is an 'alert.changed' whose entry.action is 'escalate'.
 */
export interface AlertChanged {
  alert: Alert
  entry: AuditEntry & { seq: number }
}

/** A bridge said a device behind it came back (connected) or went away (v1/gateway/connect, v1/gateway/disconnect). */
export interface BridgeLink {
  deviceId: string
  bridgeId: string
  connected: boolean
  at: number
}

export interface BusEvents {
  'readings.stored': ReadingsStored
  'attributes.changed': AttributesChanged
  'job.changed': JobChanged
  'verdict.changed': VerdictChanged
  'device.connected': DeviceConnection
  'device.disconnected': DeviceDisconnection
  'device.silent': DeviceSilent
  'unit.in_service': UnitInService
  'device.bridge_link': BridgeLink
  'alert.changed': AlertChanged
}

export type BusEventName = keyof BusEvents
