import { describe, expect, it } from 'vitest'
import { parseTelemetry, type ParseContext } from '../../gateway/ingest/parse-telemetry.js'

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0)
const ctx: ParseContext = { implicitTs: NOW, minTs: Date.UTC(2020, 0, 1), maxTs: NOW + 300_000 }

describe('parseTelemetry: the accepted forms', () => {
  it('flat {"channel": value} takes the implicit device time', () => {
    expect(parseTelemetry({ current_a: 5.2, voltage_v: 230 }, ctx)).toEqual({
      samples: [{ seq: undefined, readings: [{ channel: 'current_a', ts: NOW, value: 5.2 }, { channel: 'voltage_v', ts: NOW, value: 230 }] }],
      problems: [],
    })
  })

  it('{"ts", "seq", "values"} keeps device time and seq, converts units', () => {
    const r = parseTelemetry({ ts: NOW - 1000, seq: 7, values: { pressure_low_kpag: { value: 118, unit: 'psig' } } }, ctx)
    expect(r.problems).toEqual([])
    expect(r.samples[0]!.seq).toBe(7)
    expect(r.samples[0]!.readings[0]!.ts).toBe(NOW - 1000)
    expect(r.samples[0]!.readings[0]!.value).toBeCloseTo(813.58, 2)
  })

  it('an array of samples (buffered data)', () => {
    const r = parseTelemetry([{ ts: NOW - 2000, values: { current_a: 1 } }, { ts: NOW - 1000, values: { current_a: 2 } }], ctx)
    expect(r.samples.map((s) => s.readings[0]!.value)).toEqual([1, 2])
  })
})

describe('parseTelemetry: bad input is reported, good values in the same message are kept', () => {
  it.each([
    ['unknown channel', { current_a: 5, flux_capacitor: 1 }, 'GW_ERR_UNKNOWN_CHANNEL', /unknown channel "flux_capacitor"/],
    ['string NaN', { current_a: 5, voltage_v: 'NaN' }, 'GW_ERR_BAD_VALUE', /voltage_v: expected a number/],
    ['absurd value', { current_a: 5, voltage_v: 1e9 }, 'GW_ERR_OUT_OF_RANGE', /outside the plausible range/],
    ['Infinity (1e999 in JSON)', { current_a: 5, voltage_v: Infinity }, 'GW_ERR_BAD_VALUE', /not a finite number/],
    ['unknown unit', { current_a: 5, voltage_v: { value: 1, unit: 'furlong' } }, 'GW_ERR_UNIT', /unit "furlong" is not accepted for voltage_v; use one of V, kV, mV/],
    ['__proto__ channel', JSON.parse('{"current_a": 5, "__proto__": 1}'), 'GW_ERR_UNKNOWN_CHANNEL', /__proto__/],
  ])('%s', (_name, payload, code, message) => {
    const r = parseTelemetry(payload, ctx)
    expect(r.samples[0]!.readings.map((x) => x.channel)).toEqual(['current_a'])
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]!.code).toBe(code)
    expect(r.problems[0]!.message).toMatch(message)
  })

  it.each([
    ['future timestamp', { ts: NOW + 86_400_000, values: { current_a: 1 } }, 'GW_ERR_TIMESTAMP', /in the future/],
    ['seconds instead of ms', { ts: Math.floor(NOW / 1000), values: { current_a: 1 } }, 'GW_ERR_TIMESTAMP', /too old/],
    ['ts as a string', { ts: 'yesterday', values: { current_a: 1 } }, 'GW_ERR_SHAPE', /payload\.ts/],
    ['values missing', { ts: NOW }, 'GW_ERR_SHAPE', /payload\.values/],
    ['extra key', { ts: NOW, values: { current_a: 1 }, extra: 1 }, 'GW_ERR_SHAPE', /extra/],
    ['a bare number', 42, 'GW_ERR_SHAPE', /expected an object, got number/],
    ['an empty array', [], 'GW_ERR_SHAPE', /empty array/],
  ])('%s refuses the sample', (_name, payload, code, message) => {
    const r = parseTelemetry(payload, ctx)
    expect(r.samples).toEqual([])
    expect(r.problems[0]!.code).toBe(code)
    expect(r.problems[0]!.message).toMatch(message)
  })

  it('one bad sample in a buffered array does not lose the others', () => {
    const r = parseTelemetry([{ ts: NOW - 1000, values: { current_a: 1 } }, { ts: 'x', values: {} }, { ts: NOW, values: { current_a: 2 } }], ctx)
    expect(r.samples.map((s) => s.readings[0]!.value)).toEqual([1, 2])
    expect(r.problems[0]!.message).toMatch(/^payload\[1\]\.ts/)
  })
})
