/** Payload bytes → a JSON value, or a problem saying why they are not one. */
import { PROBLEM_CODES, type ProblemCollector } from './problems.js'
import { firstInvalidUtf8 } from './utf8.js'

/**
 * JSON text must be UTF-8 (RFC 8259 §8.1): invalid bytes would otherwise be replaced by U+FFFD
 * and the reading stored under a key or value the device never sent. JSON.parse's own errors
 * quote the input: only their first characters are kept (ProblemCollector cuts them). A
 * RangeError (more than the engine takes) is a refusal like any other.
 */
export function parseJson(payload: Buffer, problems: ProblemCollector): unknown {
  const bad = firstInvalidUtf8(payload)
  if (bad !== -1) {
    const byte = bad < payload.length ? `byte 0x${payload[bad]!.toString(16).padStart(2, '0')} at offset ${bad}` : 'a malformed sequence'
    problems.add({ code: PROBLEM_CODES.notJson, message: `payload is not JSON: it is not valid UTF-8 (${byte}; JSON text is UTF-8, RFC 8259 §8.1)` })
    return undefined
  }
  try {
    return JSON.parse(payload.toString('utf8'))
  } catch (err) {
    const why = err instanceof RangeError ? 'nested too deeply or too large' : err instanceof Error ? err.message : String(err)
    problems.add({ code: PROBLEM_CODES.notJson, message: `payload is not JSON: ${why}` })
    return undefined
  }
}
