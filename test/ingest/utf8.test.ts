import { describe, expect, it } from 'vitest'
import { firstInvalidUtf8 } from '../../gateway/ingest/utf8.js'

describe('firstInvalidUtf8', () => {
  it.each([
    ['ASCII', '7b2261223a317d', -1],
    ['two-, three- and four-byte characters', 'c3a9e282acf09f9880', -1],
    ['a lone continuation byte', '41 80 41', 1],
    ['0xff', '4142ff', 2],
    ['an overlong "/" (C0 AF)', '41c0af', 1],
    ['an overlong three-byte form (E0 80 AF)', 'e080af', 1],
    ['a surrogate (ED A0 80)', '41eda080', 2],
    ['above U+10FFFF (F4 90 80 80)', 'f4908080', 1],
    ['a character cut at the end', '41e282', 1],
    ['a bad second continuation byte', 'e28241', 2],
  ])('%s', (_name, hex, expected) => {
    expect(firstInvalidUtf8(Buffer.from(hex.replaceAll(' ', ''), 'hex'))).toBe(expected)
  })
})
