import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { renderProtocolDoc } from '../../contract/protocol-doc.js'

it('docs/protocol.md is what the contract renders (run `npm run docs` after changing the contract)', () => {
  expect(readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')).toBe(renderProtocolDoc())
})
