import { describe, expect, it } from 'vitest'
import { parseJson } from '../../gateway/ingest/parse-json.js'
import { ProblemCollector } from '../../gateway/ingest/problems.js'

function run(payload: Buffer | string): { value: unknown; problems: string[] } {
  const problems = new ProblemCollector()
  const value = parseJson(Buffer.from(payload), problems)
  return { value, problems: problems.details() }
}

describe('parseJson', () => {
  it('parses UTF-8 JSON', () => {
    expect(run('{"current_a": 1, "note": "é€😀"}')).toEqual({ value: { current_a: 1, note: 'é€😀' }, problems: [] })
  })

  it('refuses invalid UTF-8 with the byte and its offset, instead of reading U+FFFD', () => {
    expect(run(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({
      value: undefined,
      problems: ['payload is not JSON: it is not valid UTF-8 (byte 0xff at offset 2; JSON text is UTF-8, RFC 8259 §8.1)'],
    })
  })

  it('a syntax error in 250 KB of input is described in at most 300 characters', () => {
    const r = run(`{"current_a": ${'z'.repeat(250_000)}`)
    expect(r.value).toBeUndefined()
    expect(r.problems[0]).toMatch(/^payload is not JSON: /)
    expect(r.problems[0]!.length).toBeLessThanOrEqual(300)
  })

  it('a JSON bomb nested 100k deep parses (V8 parses iteratively); nothing here recurses on it', () => {
    const r = run('['.repeat(100_000) + ']'.repeat(100_000))
    expect(r.problems).toEqual([])
    expect(Array.isArray(r.value)).toBe(true)
  })
})
