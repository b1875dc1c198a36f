/** docs/influx-schema.md names every measurement, tag, field and retention policy the forwarder writes. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CHANNEL_NAMES } from '../../../contract/channels.js'
import { DOWNSAMPLED_FIELDS, MEASUREMENTS, retentionPolicies } from '../../../gateway/sinks/influx/influx-schema.js'

const doc = readFileSync(new URL('../../../docs/influx-schema.md', import.meta.url), 'utf8')

describe('docs/influx-schema.md', () => {
  it('documents every measurement with its retention policy and tags', () => {
    for (const [name, spec] of Object.entries(MEASUREMENTS)) {
      expect(doc).toContain(`### \`${name}\` (RP \`${spec.rp}\`)`)
      for (const tag of spec.tags) expect(doc).toContain(`\`${tag}\``)
    }
    for (const rp of retentionPolicies('400d')) expect(doc).toContain(`| \`${rp.name}\` |`)
  })

  it('names every field of the verdict, check and alert measurements with its type', () => {
    for (const m of ['verdict', 'check_result', 'alert'] as const) {
      for (const [field, type] of Object.entries(MEASUREMENTS[m].fields)) expect(doc).toMatch(new RegExp(`\\| field \\| \`${field}\`\\s*\\| ${type}`))
    }
  })

  it('lists every channel field and every roll-up field by its exact name', () => {
    for (const ch of CHANNEL_NAMES) expect(doc).toContain(`\`${ch}\``)
    for (const f of DOWNSAMPLED_FIELDS) expect(doc).toContain(`\`${f}\``)
  })
})
