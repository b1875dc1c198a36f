import { describe, expect, it } from 'vitest'
import { parseTelemetry, type ParseContext } from '../../gateway/ingest/parse-telemetry.js'

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0)
const ctx: ParseContext = { implicitTs: NOW, minTs: Date.UTC(2020, 0, 1), maxTs: NOW + 300_000 }

describe('parseTelemetry: the accepted forms', () => {
  it('flat {"channel": value} takes the implicit device time', () => {
    const r = parseTelemetry({ current_a: 5.2, voltage_v: 230 }, ctx)
    expect(r.samples).toEqual([{ seq: undefined, implicit: true, readings: [{ channel: 'current_a', ts: NOW, value: 5.2 }, { channel: 'voltage_v', ts: NOW, value: 230 }] }])
    expect(r.problems.total).toBe(0)
  })

  it('{"ts", "seq", "values"} keeps device time and seq, converts units', () => {
    const r = parseTelemetry({ ts: NOW - 1000, seq: 7, values: { pressure_low_kpag: { value: 118, unit: 'psig' } } }, ctx)
    expect(r.problems.kept).toEqual([])
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
    expect(r.problems.kept).toHaveLength(1)
    expect(r.problems.kept[0]!.code).toBe(code)
    expect(r.problems.kept[0]!.message).toMatch(message)
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
    expect(r.problems.kept[0]!.code).toBe(code)
    expect(r.problems.kept[0]!.message).toMatch(message)
  })

  it('one bad sample in a buffered array does not lose the others', () => {
    const r = parseTelemetry([{ ts: NOW - 1000, values: { current_a: 1 } }, { ts: 'x', values: {} }, { ts: NOW, values: { current_a: 2 } }], ctx)
    expect(r.samples.map((s) => s.readings[0]!.value)).toEqual([1, 2])
    expect(r.problems.kept[0]!.message).toMatch(/^payload\[1\]\.ts/)
  })
})

describe('parseTelemetry: work and problems are bounded', () => {
  it('more samples than the limit: the message is refused whole, with the limit and the count', () => {
    const samples = Array.from({ length: 10_001 }, (_, i) => ({ ts: NOW - 20_000 + i, values: { current_a: 1 } }))
    const r = parseTelemetry(samples, ctx)
    expect(r.samples).toEqual([])
    expect(r.problems.total).toBe(1)
    expect(r.problems.kept[0]).toEqual({
      code: 'GW_ERR_TOO_LARGE',
      message: 'payload: 10001 samples in one message; at most 10000 are accepted (GW_MAX_SAMPLES_PER_MESSAGE): send them in several messages',
    })
  })

  it('exactly the limit of samples is accepted', () => {
    const samples = Array.from({ length: 10_000 }, (_, i) => ({ ts: NOW - 20_000 + i, values: { current_a: 1 } }))
    const r = parseTelemetry(samples, ctx)
    expect(r.samples).toHaveLength(10_000)
    expect(r.problems.total).toBe(0)
  })

  it('the limits are the caller\'s', () => {
    const r = parseTelemetry([{ current_a: 1 }, { current_a: 2 }, { current_a: 3 }], ctx, { limits: { maxSamples: 2, maxValuesPerSample: 64 } })
    expect(r.samples).toEqual([])
    expect(r.problems.kept[0]!.message).toMatch(/3 samples in one message; at most 2/)
  })

  it.each([
    ['timestamped', (values: Record<string, number>) => ({ ts: NOW, seq: 3, values }), 'payload.values'],
    ['flat', (values: Record<string, number>) => values, 'payload'],
  ])('a %s sample with more values than the limit is refused (seq not claimed)', (_name, wrap, where) => {
    const values: Record<string, number> = {}
    for (let i = 0; i < 65; i++) values[`current_a_${i}`] = i
    const r = parseTelemetry(wrap(values), ctx)
    expect(r.samples).toEqual([])
    expect(r.problems.total).toBe(1)
    expect(r.problems.kept[0]!.code).toBe('GW_ERR_TOO_LARGE')
    expect(r.problems.kept[0]!.message).toBe(`${where}: 65 values in one sample; at most 64 are accepted (GW_MAX_VALUES_PER_SAMPLE)`)
  })

  it('10,000 bad items: every one counted, 20 kept, the reason and details stay small', () => {
    const r = parseTelemetry(Array.from({ length: 10_000 }, () => 1), ctx)
    expect(r.problems.total).toBe(10_000)
    expect(r.problems.kept).toHaveLength(20)
    const details = r.problems.details()
    expect(details).toHaveLength(21)
    expect(details[20]).toBe('and 9980 more problem(s)')
    expect(r.problems.reason().length).toBeLessThan(2_000)
  })

  it('a 250 KB key is quoted at 40 characters, in the path and in the message', () => {
    const key = 'k'.repeat(250_000)
    const r = parseTelemetry({ current_a: 1, [key]: 2 }, ctx)
    expect(r.samples[0]!.readings).toHaveLength(1)
    const message = r.problems.kept[0]!.message
    expect(message).toBe(`payload.${'k'.repeat(40)}…: unknown channel "${'k'.repeat(40)}…" (see docs/protocol.md)`)
  })

  it('a 250 KB string value is quoted at 40 characters', () => {
    const r = parseTelemetry({ voltage_v: 'x'.repeat(250_000) }, ctx)
    expect(r.problems.kept[0]!.message).toBe(`payload.voltage_v: expected a number or {"value": number, "unit": string}, got the string "${'x'.repeat(40)}…"`)
  })

  it('a 250 KB unrecognized key of a sample: zod\'s message is cut, the problem stays small', () => {
    const r = parseTelemetry({ ts: NOW, values: { current_a: 1 }, ['z'.repeat(250_000)]: 1 }, ctx)
    expect(r.samples).toEqual([])
    expect(r.problems.kept[0]!.code).toBe('GW_ERR_SHAPE')
    expect(r.problems.kept[0]!.message.length).toBeLessThanOrEqual(300)
  })

  it('a prototype key in values is an unknown channel and pollutes nothing', () => {
    const r = parseTelemetry(JSON.parse(`{"ts": ${NOW}, "values": {"__proto__": 5, "current_a": 1}}`), ctx)
    expect(r.samples[0]!.readings.map((x) => x.channel)).toEqual(['current_a'])
    expect(r.problems.kept).toEqual([{ code: 'GW_ERR_UNKNOWN_CHANNEL', message: 'payload.values.__proto__: unknown channel "__proto__" (see docs/protocol.md)' }])
    expect(({} as Record<string, unknown>)['current_a']).toBeUndefined()
  })
})
