/** Where a payload stops being UTF-8, for a refusal that says which byte was wrong. */
import { isUtf8 } from 'node:buffer'

/**
 * The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1.
 * Well-formed per RFC 3629 §4 / Unicode Table 3-7: no overlong forms, no surrogates
 * (U+D800-DFFF), nothing above U+10FFFF. The native isUtf8 answers the common case; the scan
 * runs only for a payload that is already refused.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  if (isUtf8(buf)) return -1
  let i = 0
  while (i < buf.length) {
    const b = buf[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let len: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) len = 2
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3
      if (b === 0xe0) lo = 0xa0 // overlong
      if (b === 0xed) hi = 0x9f // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4
      if (b === 0xf0) lo = 0x90 // overlong
      if (b === 0xf4) hi = 0x8f // above U+10FFFF
    } else return i
    for (let k = 1; k < len; k++) {
      const c = buf[i + k]
      if (c === undefined) return i
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i + k
    }
    i += len
  }
  return buf.length // isUtf8 and this scan disagree: report the end rather than accept
}
