/**
 * Hostile and broken input a gateway meets in the field, one message per kind. Each must
 * be acknowledged and quarantined (ARCHITECTURE.md principle 4) without disturbing the
 * good readings around it, so these are separate messages, never edits of good ones.
 */
import { GARBAGE_KINDS, MINUTE_MS, type DeviceRole, type GarbageKind, type Malformed } from '../scenario.js'

const DAY_MS = 24 * 60 * MINUTE_MS

interface Recipe {
  deviceRole: DeviceRole
  /** The payload for a message sent at device time `at`. */
  payload: (at: number) => string
  why: string
}

export const MALFORMED: Record<GarbageKind, Recipe> = {
  'not-json': {
    deviceRole: 'manifold',
    // A Bluetooth bridge that drops the tail of a frame.
    payload: (at) => `{"ts":${at},"values":{"pressure_low_kpag":{"value":130.2,"un`,
    why: 'truncated JSON',
  },
  'wrong-shape': {
    deviceRole: 'unit',
    payload: (at) => JSON.stringify({ ts: at, values: [26.1, 13.2, 32] }),
    why: '"values" is an array, not an object of channels',
  },
  'unknown-channel': {
    deviceRole: 'unit',
    payload: (at) => JSON.stringify({ ts: at, values: { humidity_pct: 55.2 } }),
    why: 'a channel the contract does not define',
  },
  'nan-string': {
    deviceRole: 'clamp',
    payload: (at) => JSON.stringify({ ts: at, values: { current_a: 'NaN' } }),
    why: 'a number sent as the string "NaN"',
  },
  'absurd-value': {
    deviceRole: 'clamp',
    // If this slipped through, the over-current check would fail a good run.
    payload: (at) => JSON.stringify({ ts: at, values: { current_a: 1e9 } }),
    why: 'current_a 1e9 A, far outside the plausible range',
  },
  'future-ts': {
    deviceRole: 'unit',
    // A real-time clock that lost its battery and was set to the wrong day.
    payload: (at) => JSON.stringify({ ts: at + DAY_MS, values: { temp_outdoor_c: 32.1 } }),
    why: 'device time a day ahead',
  },
  'unknown-unit': {
    deviceRole: 'manifold',
    // kgf/cm² is real on older gauges but not an accepted spelling: refused, never guessed.
    payload: (at) => JSON.stringify({ ts: at, values: { pressure_low_kpag: { value: 9.2, unit: 'kgf/cm2' } } }),
    why: 'a pressure unit the gateway does not accept',
  },
}

/**
 * One message of every kind, spread over the test run: the first at `firstMinute` after
 * the start marker, then every `everyMinutes`. A 1.7 s offset keeps them off the devices'
 * regular sample instants, as a glitch would be.
 */
export function malformedMessages(runStartTs: number, firstMinute: number, everyMinutes: number): Malformed[] {
  return GARBAGE_KINDS.map((garbage, i) => {
    const recipe = MALFORMED[garbage]
    const at = runStartTs + (firstMinute + i * everyMinutes) * MINUTE_MS + 1_700
    return { kind: 'malformed', at, deviceRole: recipe.deviceRole, garbage, payload: recipe.payload(at) }
  })
}
