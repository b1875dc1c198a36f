/**
 * The in-service scenarios as data (issue 11): each is in device-time order within its
 * length, and says what it claims (the storm has thousands of messages, the refrigerant
 * loss falls day over day at comparable outdoor temperature, days pass in device time),
 * and the alert comparison the CLI and the end-to-end tests share.
 */
import { describe, expect, it } from 'vitest'
import { alertMismatches, type AlertOutline } from '../../firmware-sim/alert-expectation.js'
import { DAY_MS, MINUTE_MS, type InServiceEvent } from '../../firmware-sim/in-service-scenario.js'
import { mulberry32 } from '../../firmware-sim/prng.js'
import { saturationTempC } from '../../firmware-sim/refrigerant.js'
import { IN_SERVICE_SCENARIOS, LOSS_DAYS, STORM_MESSAGES } from '../../firmware-sim/scenarios/in-service.js'

const T0 = Date.UTC(2026, 5, 1, 8, 0, 0)
const script = (name: string) => IN_SERVICE_SCENARIOS.get(name)!.script({ startTs: T0, rng: mulberry32(1) })
const telemetry = (events: InServiceEvent[]) => events.filter((e): e is Extract<InServiceEvent, { kind: 'telemetry' }> => e.kind === 'telemetry')
const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN)

describe('in-service scenarios', () => {
  it.each([...IN_SERVICE_SCENARIOS.keys()])('%s: events in order within its length, and it expects at least one alert', (name) => {
    const s = IN_SERVICE_SCENARIOS.get(name)!
    const { events, commissioning } = script(name)
    expect(events.length).toBeGreaterThan(0)
    for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at)
    expect(events[0]!.at).toBeGreaterThanOrEqual(T0)
    expect(events.at(-1)!.at).toBeLessThanOrEqual(T0 + s.durationMs)
    for (const e of commissioning) expect(e.at).toBeLessThan(T0)
    expect(s.expected.alerts.length).toBeGreaterThan(0)
  })

  it('leakage-rising: below 3.5 mA until minute 18, above it from minute 18.5; the commissioning reading leaks 6 mA', () => {
    const { events, commissioning } = script('leakage-rising')
    const leak = telemetry(events).map((e) => ({ min: (e.at - T0) / MINUTE_MS, ma: num(e.values.leakage_ma) }))
    expect(leak.filter((r) => r.min <= 18).every((r) => r.ma <= 3.5)).toBe(true)
    expect(leak.filter((r) => r.min >= 18.5).every((r) => r.ma > 3.5)).toBe(true)
    expect(num(telemetry(commissioning)[0]!.values.leakage_ma)).toBe(6)
  })

  it(`error-code-storm: ${STORM_MESSAGES} error-code messages, E6 in some, then an empty list`, () => {
    const codes = script('error-code-storm').events.filter((e): e is Extract<InServiceEvent, { kind: 'error-codes' }> => e.kind === 'error-codes')
    expect(codes.length).toBe(STORM_MESSAGES + 1)
    expect(codes.filter((c) => c.codes.includes('E6')).length).toBe(600)
    expect(codes.at(-1)!.codes).toEqual([])
  })

  it('refrigerant-loss: over 8 device days the running suction saturation falls ~0.5 K a day at 30-32 °C outdoor; never 15 min silent', () => {
    const t = telemetry(script('refrigerant-loss').events)
    expect(t.at(-1)!.at - t[0]!.at).toBeGreaterThan((LOSS_DAYS - 1) * DAY_MS)
    for (let i = 1; i < t.length; i++) expect(t[i]!.at - t[i - 1]!.at).toBeLessThan(15 * MINUTE_MS)
    const daily = new Map<number, number[]>()
    for (const e of t) {
      if (num(e.values.current_a) < 1) continue
      const outdoor = num(e.values.temp_outdoor_c)
      expect(outdoor).toBeGreaterThanOrEqual(30)
      expect(outdoor).toBeLessThan(32)
      const day = Math.floor((e.at - T0) / DAY_MS)
      daily.set(day, [...(daily.get(day) ?? []), saturationTempC('R32', num(e.values.pressure_low_kpag) / 1000)])
    }
    const means = [...daily.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length)
    expect(means.length).toBe(LOSS_DAYS)
    for (let d = 1; d < means.length; d++) expect(means[d - 1]! - means[d]!).toBeCloseTo(0.5, 1)
  })

  it('short-cycling: 7 starts (current rising through 1 A) within the hour from minute 8 to 56', () => {
    const t = telemetry(script('short-cycling').events)
    const starts: number[] = []
    for (let i = 1; i < t.length; i++) if (num(t[i - 1]!.values.current_a) < 1 && num(t[i]!.values.current_a) >= 1) starts.push((t[i]!.at - T0) / MINUTE_MS)
    expect(starts.slice(0, 7)).toEqual([8, 16, 24, 32, 40, 48, 56])
  })

  it('unit-drops and bridge-unit-gone: nothing is published between the drop and the reconnect', () => {
    for (const [name, down, up] of [['unit-drops', 'drop', 'reconnect'], ['bridge-unit-gone', 'bridge-disconnect', 'bridge-connect']] as const) {
      const events = script(name).events
      const from = events.findIndex((e) => e.kind === down)
      const to = events.findIndex((e) => e.kind === up)
      expect(from).toBeGreaterThan(0)
      expect(events.slice(from + 1, to).every((e) => e.kind === 'quiet')).toBe(true)
    }
  })
})

describe('alertMismatches', () => {
  const expected = { alerts: [{ fault: 'leakage', severity: 'critical' as const, count: 1, finalState: 'open' as const, raisedWithinMs: [60_000, 90_000] as const }], exclusive: true }
  const alert = (over: Partial<AlertOutline> = {}): AlertOutline => ({ id: 'a1', deviceId: 'u', fault: 'leakage', severity: 'critical', state: 'active', raisedAt: T0 + 70_000, ...over })

  it('matches the expected alert', () => expect(alertMismatches(expected, [alert()], T0)).toEqual([]))
  it('says what differs', () => {
    expect(alertMismatches(expected, [], T0)).toEqual(['leakage: 0 alert(s), expected 1'])
    expect(alertMismatches(expected, [alert({ state: 'cleared', severity: 'major', raisedAt: T0 + 100_000 })], T0)).toEqual([
      'leakage: alert a1 is major, expected critical',
      'leakage: the latest alert is cleared, expected open',
      'leakage: raised 1 min 40 s after the start, expected between 1 min 0 s and 1 min 30 s',
    ])
    expect(alertMismatches(expected, [alert(), alert({ id: 'o', fault: 'offline', severity: 'major' })], T0)).toEqual(['unexpected major alert offline (o, active)'])
  })
})
