/**
 * A pack's content hash: SHA-256 over its validated content with object keys sorted, so
 * YAML comments, quoting and key order do not change it and every number and source does.
 * A verdict names it: "split-ac 1.0.0" alone does not say which numbers judged the job.
 */
import { createHash } from 'node:crypto'

import type { RulePack } from './pack-schema.js'

/** JSON with object keys in code-point order at every level (arrays keep their order). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const parts: string[] = []
    for (const v of value) parts.push(canonical(v))
    return `[${parts.join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const parts: string[] = []
    const obj = value as Record<string, unknown>
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] === undefined) continue // JSON drops undefined: a stored copy must hash the same
      parts.push(`${JSON.stringify(key)}:${canonical(obj[key])}`)
    }
    return `{${parts.join(',')}}`
  }
  return JSON.stringify(value)
}

/** "sha256:" + 64 hex digits. */
export function packHash(pack: RulePack): string {
  return `sha256:${createHash('sha256').update(canonical(pack)).digest('hex')}`
}
