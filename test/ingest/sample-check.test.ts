/**
 * readSample / readValueWithUnit (zod-free checks on the ingest path) accept exactly what
 * SampleSchema / ValueSchema accept, so the documented schemas stay the contract.
 */
import { describe, expect, it } from 'vitest'
import { SampleSchema, ValueSchema, readSample, readValueWithUnit } from '../../contract/telemetry.js'

const T = Date.UTC(2026, 0, 1)
const odd: unknown[] = [undefined, null, true, 0, -0, -1, 1.5, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308, Infinity, NaN, '1', [], {}, [1]]

describe('readSample agrees with SampleSchema', () => {
  const samples: unknown[] = [
    { ts: T, values: {} },
    { ts: T, seq: 0, values: { current_a: 1 } },
    { ts: T, values: Object.create(null) as object },
    { ts: T, values: new Date() },
    { ts: T, values: [] },
    { ts: T, values: null },
    { ts: T },
    { values: {} },
    { ts: T, values: {}, extra: 1 },
    { ts: T, seq: undefined, values: {} },
    ...odd.map((ts) => ({ ts, values: {} })),
    ...odd.map((seq) => ({ ts: T, seq, values: {} })),
    ...odd.map((values) => ({ ts: T, values })),
  ]
  it.each(samples.map((s) => [s] as const))('%j', (s) => {
    expect(readSample(s as object) !== undefined).toBe(SampleSchema.safeParse(s).success)
  })

  it('a "__proto__" key (an own property, as JSON.parse makes it) is refused by both', () => {
    const s = JSON.parse(`{"ts": ${T}, "values": {}, "__proto__": {"x": 1}}`) as object
    expect(SampleSchema.safeParse(s).success).toBe(false)
    expect(readSample(s)).toBeUndefined()
  })

  it('hands back the values object itself, not a copy', () => {
    const values = { current_a: 1 }
    expect(readSample({ ts: T, seq: 3, values })).toEqual({ ts: T, seq: 3, values })
    expect(readSample({ ts: T, values })!.values).toBe(values)
  })
})

describe('readValueWithUnit agrees with the object form of ValueSchema', () => {
  const values: unknown[] = [
    { value: 1, unit: 'mA' },
    { value: 1, unit: '' },
    { value: 1, unit: 'u'.repeat(16) },
    { value: 1, unit: 'u'.repeat(17) },
    { value: 1, unit: '😀'.repeat(16) },
    { value: 1, unit: '😀'.repeat(17) },
    { value: 1, unit: `${'u'.repeat(15)}😀` },
    { value: 1, unit: `${'u'.repeat(16)}😀` },
    { value: 1 },
    { unit: 'mA' },
    { value: 1, unit: 'mA', extra: 1 },
    { value: 1, unit: 5 },
    ...odd.map((value) => ({ value, unit: 'mA' })),
  ]
  it.each(values.map((v) => [v] as const))('%j', (v) => {
    const zod = ValueSchema.safeParse(v)
    expect(readValueWithUnit(v) !== undefined).toBe(zod.success && typeof zod.data !== 'number')
  })
})
