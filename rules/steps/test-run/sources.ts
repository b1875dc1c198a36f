/**
 * Which device's readings a check reads. Two devices may report the same channel: the
 * outdoor clamp's compressor current and the indoor unit's own fan current are both
 * `current_a`. Merged, 5 A and 0.3 A interleave and the run looks stopped every other
 * reading. So a channel's role is declared when the device is attached
 * (`roles: {"current_a": "compressor"}`) and each check names the role it reads. Pure.
 */
import type { ChannelName } from '../../../contract/channels.js'
import type { Reading } from '../../../contract/reading.js'
import type { TestRunReadings } from './series.js'

/** Per device id, the role each channel of it plays on this job (declared at attachment). */
export type ChannelRoles = Readonly<Record<string, Readonly<Partial<Record<ChannelName, string>>>>>

/** The role names the gateway's checks read; other names are allowed and simply not read by these checks. */
export const CHANNEL_ROLES = {
  /** current_a: outdoor unit / compressor (or whole-unit supply) current, the test run's evidence of running. */
  compressor: 'compressor',
  /** current_a: the indoor unit's own current (fan, board), the power test's evidence (S2). */
  indoor: 'indoor',
} as const

export type Source = { readings: Reading[]; devices: string[] } | { error: string }

/**
 * The readings of `channel` that play `role`. A device whose role for the channel is
 * declared counts only for that role. With no role declared for the channel on any
 * reporting device, one device is taken as it is; several are never merged: the check
 * says which devices and how to declare them.
 */
export function readingsInRole(readings: readonly Reading[], channel: ChannelName, role: string, roles: ChannelRoles): Source {
  const devices = new Set<string>()
  for (const r of readings) devices.add(r.deviceId)
  const all = [...devices].sort()
  const declared = all.filter((d) => roles[d]?.[channel] !== undefined)
  if (declared.length === 0) {
    if (all.length <= 1) return { readings: [...readings], devices: all }
    return {
      error:
        `${channel} comes from ${all.length} devices (${all.join(', ')}) and none is marked as the ${role} ${channel}: ` +
        `readings of different things are not merged; attach the devices with roles, e.g. roles: {"${channel}": "${role}"}`,
    }
  }
  const chosen = all.filter((d) => roles[d]?.[channel] === role)
  // A device with no declared role next to declared ones: only declared ones count, so nothing is guessed.
  if (chosen.length === 0) {
    const what = declared.map((d) => `${d}: ${roles[d]?.[channel] ?? ''}`).join(', ')
    return { error: `no attached device reports ${channel} as ${role} (declared: ${what})` }
  }
  const keep = new Set(chosen)
  return { readings: readings.filter((r) => keep.has(r.deviceId)), devices: chosen }
}

/** A copy of `readings` with `channel` narrowed to `role`, or the reason it cannot be. */
export function narrowChannel(readings: TestRunReadings, channel: ChannelName, role: string, roles: ChannelRoles): { readings: TestRunReadings; error?: string } {
  const source = readingsInRole(readings[channel] ?? [], channel, role, roles)
  if ('error' in source) return { readings: { ...readings, [channel]: [] }, error: source.error }
  return { readings: { ...readings, [channel]: source.readings } }
}
